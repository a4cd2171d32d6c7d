package io.berth.engine.archive;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import io.berth.spec.image.MediaTypes;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * Opens a decompressing stream for a layer blob: gzip through the JDK (zlib, and since JDK 23 it
 * reads every member of a multi-member file, as pigz and some registries produce), zstd through
 * zstd-jni (all frames). Closing the returned stream closes {@code in}.
 *
 * <p>Compressed streams are decompressed on a separate thread a few chunks ahead of the reader
 * ({@link ReadAhead}), so inflating overlaps with hashing and writing files: layer application is
 * otherwise one core doing everything in turn.
 */
public final class Decompression {
    private Decompression() {}

    private static final int BUFFER = 128 * 1024;

    public static InputStream open(InputStream in, MediaTypes.Compression compression) throws IOException {
        return switch (compression) {
            case NONE -> in;
            case GZIP -> new ReadAhead(new GZIPInputStream(in, BUFFER), "gzip");
            case ZSTD -> new ReadAhead(zstd(in), "zstd");
        };
    }

    /**
     * Sniffs magic bytes (gzip 1f8b, zstd 28b52ffd, bzip2 "BZh", else plain tar); for docker-archive
     * layers, which carry no media type.
     */
    public static InputStream detect(InputStream in) throws IOException {
        BufferedInputStream buffered = in instanceof BufferedInputStream b && b.markSupported() ? b : new BufferedInputStream(in, BUFFER);
        buffered.mark(8);
        byte[] magic = buffered.readNBytes(4);
        buffered.reset();
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            return open(buffered, MediaTypes.Compression.GZIP);
        }
        if (magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5 && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd) {
            return open(buffered, MediaTypes.Compression.ZSTD);
        }
        if (magic.length >= 3 && magic[0] == 'B' && magic[1] == 'Z' && magic[2] == 'h') {
            return new ReadAhead(new BZip2CompressorInputStream(buffered, true), "bzip2");
        }
        return buffered;
    }

    private static InputStream zstd(InputStream in) throws IOException {
        // Reads every frame of a multi-frame file; a truncated frame is an error (not "continuous" mode).
        return new ZstdInputStreamNoFinalizer(in);
    }
}
