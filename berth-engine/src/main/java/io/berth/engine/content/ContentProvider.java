package io.berth.engine.content;

import io.berth.spec.image.Digest;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/** Reads committed content. Everything it returns was verified against its digest on ingest. */
public interface ContentProvider {
    /** Throws BerthException NOT_FOUND when the blob is absent. */
    InputStream open(Digest digest) throws IOException;

    Optional<ContentInfo> info(Digest digest);

    default byte[] readAll(Digest digest) throws IOException {
        try (InputStream in = open(digest)) { return in.readAllBytes(); }
    }
}
