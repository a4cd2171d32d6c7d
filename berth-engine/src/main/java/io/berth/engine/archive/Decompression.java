package io.berth.engine.archive;

import io.berth.spec.image.MediaTypes;

import java.io.IOException;
import java.io.InputStream;

/** Opens a decompressing stream for a layer blob (gzip via the JDK or commons-compress, zstd via zstd-jni). */
public final class Decompression {
    private Decompression() {}

    public static InputStream open(InputStream in, MediaTypes.Compression compression) throws IOException {
        throw new UnsupportedOperationException("to be implemented");
    }

    /** Sniffs magic bytes (gzip 1f8b, zstd 28b52ffd, else plain tar); for docker-archive layers. */
    public static InputStream detect(InputStream in) throws IOException {
        throw new UnsupportedOperationException("to be implemented");
    }
}
