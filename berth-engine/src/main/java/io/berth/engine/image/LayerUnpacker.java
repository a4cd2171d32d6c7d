package io.berth.engine.image;

import io.berth.api.BerthException;
import io.berth.engine.archive.ApplyReport;
import io.berth.engine.archive.Decompression;
import io.berth.engine.archive.LayerApplier;
import io.berth.engine.archive.WhiteoutMode;
import io.berth.engine.content.ContentProvider;
import io.berth.engine.snapshot.Snapshotter;
import io.berth.engine.snapshot.Snapshotters;
import io.berth.spec.image.Descriptor;
import io.berth.spec.image.Digest;
import io.berth.spec.image.MediaTypes;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongConsumer;

/**
 * Unpacks one layer blob into a new committed snapshot named by its chain ID. The uncompressed
 * stream is hashed while it is applied and must equal the config's diff_id: a layer that does not
 * match is thrown away (snapshot removed) and the pull fails, so nothing unverified is ever committed.
 */
final class LayerUnpacker {
    private final ContentProvider content;
    private final Snapshotter snapshots;
    private final LayerApplier applier;

    LayerUnpacker(ContentProvider content, Snapshotter snapshots, LayerApplier applier) {
        this.content = content;
        this.snapshots = snapshots;
        this.applier = applier;
    }

    /**
     * @param parentChain the chain ID of the layer below, or null for the first layer
     * @param progress    receives compressed bytes read so far
     * @return uncompressed bytes applied
     */
    long unpack(Descriptor layer, Digest diffId, String chainId, String parentChain, LongConsumer progress) throws IOException {
        if (snapshots.stat(chainId).isPresent()) return 0;
        String key = "extract-" + UUID.randomUUID() + "-" + chainId;
        snapshots.prepare(key, parentChain, Map.of(Snapshotters.TRANSIENT_LABEL, "true"));
        boolean committed = false;
        try {
            MessageDigest hasher = diffId.newHasher();
            ApplyReport report;
            try (InputStream blob = new Counting(content.open(layer.digest()), progress);
                 InputStream plain = Decompression.open(blob, MediaTypes.layerCompression(layer.mediaType()));
                 DigestInputStream hashed = new DigestInputStream(plain, hasher)) {
                report = applier.apply(hashed, snapshots.writableDir(key),
                        snapshots.whiteoutsAsDevices() ? WhiteoutMode.OVERLAY : WhiteoutMode.DELETE);
                hashed.transferTo(java.io.OutputStream.nullOutputStream()); // the tar's end padding counts towards the diff_id
            }
            Digest actual = Digest.ofSha256(hasher.digest());
            if (!actual.equals(diffId)) {
                throw BerthException.dataLoss("layer %s: uncompressed content is %s but the image config says diff_id %s",
                        layer.digest().shortHex(), actual, diffId);
            }
            try {
                snapshots.commit(chainId, key);
                committed = true;
            } catch (BerthException e) {
                // Another pull committed the same layer stack first: theirs is as good as ours.
                if (e.kind() != BerthException.Kind.CONFLICT || snapshots.stat(chainId).isEmpty()) throw e;
            }
            return report.bytes();
        } finally {
            if (!committed) {
                try { snapshots.remove(key); } catch (IOException | RuntimeException ignored) { /* cleanup() at start catches it */ }
            }
        }
    }

    /** Counts bytes read, reporting at most every 256 KiB so progress events stay cheap. */
    private static final class Counting extends FilterInputStream {
        private final LongConsumer progress;
        private long count, reported;

        Counting(InputStream in, LongConsumer progress) { super(in); this.progress = progress; }

        @Override public int read() throws IOException {
            int b = super.read();
            if (b >= 0) advance(1);
            return b;
        }

        @Override public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) advance(n);
            return n;
        }

        private void advance(long n) {
            count += n;
            if (count - reported >= 256 * 1024) { reported = count; progress.accept(count); }
        }
    }
}
