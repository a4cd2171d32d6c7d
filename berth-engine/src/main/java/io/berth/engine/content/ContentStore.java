package io.berth.engine.content;

/** All three content roles; implementations hand out the narrow ones to callers. */
public interface ContentStore extends ContentProvider, ContentIngester, ContentManager {
}
