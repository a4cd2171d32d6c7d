package io.berth.engine.registry;

/** Progress of one blob download. Called from the downloading thread. */
public interface BlobProgress {
    BlobProgress NONE = new BlobProgress() { };

    default void progress(long current, long total) { }

    default void retrying(String reason, int attempt) { }
}
