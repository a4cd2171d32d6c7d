package io.berth.engine.image;

import io.berth.engine.archive.Decompression;
import io.berth.engine.archive.LayerApplier;
import io.berth.engine.archive.WhiteoutMode;
import io.berth.spec.image.MediaTypes;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.logging.Logger;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * Applies a tiny gzip layer to a scratch directory a few times. The first layer a JVM applies pays
 * for JIT warm-up and for binding the native calls (seconds on a loaded machine); paying it on a
 * background thread at daemon start keeps it out of the first pull.
 */
final class WarmUp implements Runnable {
    private static final Logger LOG = Logger.getLogger(WarmUp.class.getName());

    private final LayerApplier applier;
    private final Path tmp;

    WarmUp(LayerApplier applier, Path tmp) {
        this.applier = applier;
        this.tmp = tmp;
    }

    @Override public void run() {
        Path dir = tmp.resolve("warm-up-" + UUID.randomUUID());
        try {
            byte[] layer = tinyLayer();
            Files.createDirectories(dir);
            for (int i = 0; i < 20 && !Thread.currentThread().isInterrupted(); i++) {
                try (InputStream in = Decompression.open(new ByteArrayInputStream(layer), MediaTypes.Compression.GZIP)) {
                    applier.apply(in, dir, WhiteoutMode.DELETE);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.fine("warm-up failed (harmless): " + e);
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) { /* tmp is emptied at the next start */ }
        }
    }

    private static byte[] tinyLayer() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(buf))) {
            tar.putArchiveEntry(new TarArchiveEntry("d/"));
            tar.closeArchiveEntry();
            TarArchiveEntry f = new TarArchiveEntry("d/f");
            f.setSize(1);
            tar.putArchiveEntry(f);
            tar.write('x');
            tar.closeArchiveEntry();
        }
        return buf.toByteArray();
    }
}
