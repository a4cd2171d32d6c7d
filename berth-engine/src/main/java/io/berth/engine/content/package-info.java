/**
 * The content-addressed blob store (containerd's content store, in small roles: {@link
 * io.berth.engine.content.ContentProvider}, {@link io.berth.engine.content.ContentIngester}, {@link
 * io.berth.engine.content.ContentManager}).
 *
 * <p>{@link io.berth.engine.content.FileContentStore} keeps blobs at {@code ROOT/blobs/sha256/HEX} and
 * ingests at {@code ROOT/ingest/sha256(ref)/data}. Why it is built the way it is:
 * <ul>
 *   <li>Hash while writing, verify size and digest on commit, fsync, then rename(2): after a crash or
 *       kill -9 a blob is either absent or complete and verified. Readers never re-hash.</li>
 *   <li>Partials survive {@code close()} without commit so a retried download resumes with HTTP Range;
 *       resuming re-reads the partial once to rebuild the hash state (MessageDigest state cannot be
 *       persisted), which costs one sequential read, far cheaper than downloading again.</li>
 *   <li>One writer per ref, and a second writer waits rather than failing: two pulls sharing a layer
 *       download it once, and the waiter finds it committed.</li>
 *   <li>Committed blobs are mode 0444: content is immutable and a stray write would break its digest.</li>
 * </ul>
 */
package io.berth.engine.content;
