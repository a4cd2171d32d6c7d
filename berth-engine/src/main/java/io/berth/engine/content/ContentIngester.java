package io.berth.engine.content;

import io.berth.spec.image.Digest;

import java.io.IOException;

/** Writes new content. One writer per ref at a time (a second caller waits or gets CONFLICT). */
public interface ContentIngester {
    /**
     * @param ref          a stable name for the ingest (e.g. the digest string), so a retry resumes it
     * @param expected     the digest the content must have; commit fails otherwise
     * @param expectedSize the size it must have, or -1 when unknown
     */
    ContentWriter writer(String ref, Digest expected, long expectedSize) throws IOException;
}
