package io.berth.engine.content;

import io.berth.spec.image.Digest;

import java.io.IOException;
import java.util.List;

/** Lists and deletes content; garbage collection lives above (it knows what references what). */
public interface ContentManager {
    List<ContentInfo> list() throws IOException;

    void delete(Digest digest) throws IOException;

    /** Removes unfinished ingests; called at daemon start. */
    void cleanIngests() throws IOException;
}
