package io.berth.engine.content;

import io.berth.api.BerthException;
import io.berth.spec.image.Digest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * A content-addressed blob store on the local file system, laid out like containerd's:
 * <pre>
 *   ROOT/blobs/&lt;alg&gt;/&lt;hex&gt;          committed, verified, read-only blobs (stored once per digest)
 *   ROOT/ingest/&lt;sha256(ref)&gt;/data    bytes of an unfinished ingest (kept for resume)
 *   ROOT/ingest/&lt;sha256(ref)&gt;/expected the digest the ingest was opened for
 * </pre>
 * A writer hashes while it writes; {@code commit()} fsyncs the data, checks size and digest, renames
 * it into {@code blobs/} with an atomic rename and fsyncs the directory, so after a crash a blob is
 * either absent or complete and verified. Ingest directories are named by a hash of the ref so any ref
 * string is a safe file name.
 *
 * <p>One writer per ref at a time inside this process: a second {@link #writer} call for the same ref
 * waits until the first writer is closed (so two pulls sharing a layer download it once), then sees the
 * committed blob and gets a no-op writer. The daemon's root lock keeps other processes out.
 */
public final class FileContentStore implements ContentStore {
    private static final int HASH_READ_BUFFER = 1 << 20;

    private final Path root;
    private final Path blobs;
    private final Path ingest;
    private final ConcurrentHashMap<String, ReentrantLock> refLocks = new ConcurrentHashMap<>();
    private final long lockWaitMillis;

    public FileContentStore(Path root) throws IOException {
        this(root, TimeUnit.HOURS.toMillis(1));
    }

    /** @param lockWaitMillis how long {@link #writer} waits for another writer of the same ref before CONFLICT */
    public FileContentStore(Path root, long lockWaitMillis) throws IOException {
        this.root = root;
        this.blobs = root.resolve("blobs");
        this.ingest = root.resolve("ingest");
        this.lockWaitMillis = lockWaitMillis;
        Files.createDirectories(blobs);
        Files.createDirectories(ingest);
    }

    public Path root() { return root; }

    /** Where a committed blob lives (it may not exist). */
    public Path blobPath(Digest d) { return blobs.resolve(d.algorithm()).resolve(d.hex()); }

    // ---- ContentProvider -------------------------------------------------------------------------

    @Override
    public InputStream open(Digest digest) throws IOException {
        try {
            return Files.newInputStream(blobPath(digest));
        } catch (NoSuchFileException e) {
            throw BerthException.notFound("opening blob %s: content not found", digest);
        }
    }

    @Override
    public Optional<ContentInfo> info(Digest digest) {
        try {
            BasicFileAttributes a = Files.readAttributes(blobPath(digest), BasicFileAttributes.class);
            return Optional.of(new ContentInfo(digest, a.size(), a.lastModifiedTime().toInstant()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("reading blob info " + digest, e);
        }
    }

    // ---- ContentManager --------------------------------------------------------------------------

    @Override
    public List<ContentInfo> list() throws IOException {
        List<ContentInfo> out = new ArrayList<>();
        try (DirectoryStream<Path> algs = Files.newDirectoryStream(blobs)) {
            for (Path alg : algs) {
                if (!Files.isDirectory(alg)) continue;
                try (DirectoryStream<Path> files = Files.newDirectoryStream(alg)) {
                    for (Path f : files) {
                        Digest d;
                        try { d = new Digest(alg.getFileName().toString(), f.getFileName().toString()); }
                        catch (IllegalArgumentException e) { continue; } // not ours (e.g. a stray temp file)
                        BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                        out.add(new ContentInfo(d, a.size(), a.lastModifiedTime().toInstant()));
                    }
                }
            }
        }
        out.sort(Comparator.comparing(ContentInfo::digest));
        return out;
    }

    /** Deletes a committed blob; NOT_FOUND when it is absent. */
    @Override
    public void delete(Digest digest) throws IOException {
        if (!Files.deleteIfExists(blobPath(digest)))
            throw BerthException.notFound("deleting blob %s: content not found", digest);
    }

    /** Removes every ingest not held by a live writer of this store. */
    @Override
    public void cleanIngests() throws IOException {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(ingest)) {
            for (Path dir : dirs) {
                ReentrantLock lock = refLocks.get(dir.getFileName().toString());
                if (lock != null && lock.isLocked()) continue;
                deleteTree(dir);
            }
        }
    }

    // ---- ContentIngester -------------------------------------------------------------------------

    @Override
    public ContentWriter writer(String ref, Digest expected, long expectedSize) throws IOException {
        if (ref == null || ref.isEmpty()) throw BerthException.invalid("opening ingest for %s: ref is empty", expected);
        String key = Digest.sha256(ref.getBytes(StandardCharsets.UTF_8)).hex();
        ReentrantLock lock = refLocks.computeIfAbsent(key, k -> new ReentrantLock());
        if (lock.isHeldByCurrentThread())
            throw BerthException.conflict("opening ingest %s: this thread already has a writer for it", ref);
        try {
            if (!lock.tryLock(lockWaitMillis, TimeUnit.MILLISECONDS))
                throw BerthException.conflict("opening ingest %s: another writer holds it", ref);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("waiting for ingest " + ref);
        }
        try {
            Optional<ContentInfo> existing = info(expected);
            if (existing.isPresent()) {
                long have = existing.get().size();
                // Same digest, other size: the descriptor lies (the stored blob was verified on commit).
                if (expectedSize >= 0 && have != expectedSize)
                    throw BerthException.dataLoss("opening ingest for %s: size mismatch: expected %d bytes, the stored blob has %d",
                            expected, expectedSize, have);
                return new ExistingWriter(lock, have);
            }
            return new FileWriter(ref, ingest.resolve(key), expected, expectedSize, lock);
        } catch (IOException | RuntimeException e) {
            lock.unlock();
            throw e;
        }
    }

    /** The blob is already stored: nothing to write; offset() is its size so callers skip the download. */
    private static final class ExistingWriter implements ContentWriter {
        private final ReentrantLock lock;
        private final long size;
        private boolean closed;

        ExistingWriter(ReentrantLock lock, long size) { this.lock = lock; this.size = size; }

        @Override public long offset() { return size; }
        @Override public OutputStream stream() { return OutputStream.nullOutputStream(); }
        @Override public void truncate() { }
        @Override public void commit() { }
        @Override public void abort() { close(); }
        @Override public void close() {
            if (!closed) { closed = true; lock.unlock(); }
        }
    }

    private final class FileWriter implements ContentWriter {
        private final String ref;
        private final Path dir;
        private final Path data;
        private final Digest expected;
        private final long expectedSize;
        private final ReentrantLock lock;
        private final FileChannel channel;
        private final MessageDigest hasher;
        private final HashingStream stream = new HashingStream();
        private long offset;
        private boolean done;

        FileWriter(String ref, Path dir, Digest expected, long expectedSize, ReentrantLock lock) throws IOException {
            this.ref = ref;
            this.dir = dir;
            this.data = dir.resolve("data");
            this.expected = expected;
            this.expectedSize = expectedSize;
            this.lock = lock;
            this.hasher = expected.newHasher();
            Files.createDirectories(dir);
            Path exp = dir.resolve("expected");
            // A partial written for another digest under the same ref is useless: start over.
            String before = Files.exists(exp) ? Files.readString(exp).trim() : null;
            if (!expected.toString().equals(before)) {
                Files.deleteIfExists(data);
                Files.writeString(exp, expected.toString());
                Files.writeString(dir.resolve("ref"), ref);
            }
            this.channel = FileChannel.open(data, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            try {
                long have = channel.size();
                if (expectedSize >= 0 && have > expectedSize) { channel.truncate(0); have = 0; }
                rehash(have);
                channel.position(have);
                offset = have;
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }

        /** Resuming: the hash must cover the bytes already on disk, so read them back once. */
        private void rehash(long length) throws IOException {
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(HASH_READ_BUFFER, Math.max(length, 1)));
            long pos = 0;
            while (pos < length) {
                buf.clear();
                if (length - pos < buf.capacity()) buf.limit((int) (length - pos));
                int n = channel.read(buf, pos);
                if (n < 0) throw new IOException("partial ingest " + ref + " shrank while resuming");
                buf.flip();
                hasher.update(buf);
                pos += n;
            }
        }

        @Override public long offset() { return offset; }

        @Override public OutputStream stream() { return stream; }

        @Override
        public void truncate() throws IOException {
            ensureOpen();
            channel.truncate(0);
            channel.position(0);
            hasher.reset();
            offset = 0;
        }

        @Override
        public void commit() throws IOException {
            ensureOpen();
            try {
                channel.force(true);
                channel.close();
                if (expectedSize >= 0 && offset != expectedSize)
                    throw mismatch("size mismatch: expected %d bytes, got %d".formatted(expectedSize, offset));
                Digest actual = new Digest(expected.algorithm(), java.util.HexFormat.of().formatHex(hasher.digest()));
                if (!actual.equals(expected))
                    throw mismatch("digest mismatch: expected %s, got %s".formatted(expected, actual));
                Path target = blobPath(expected);
                Files.createDirectories(target.getParent());
                // Read-only: committed content is immutable; a stray write would break its digest.
                Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("r--r--r--"));
                // rename(2) is atomic and replaces an identical blob committed meanwhile under another ref.
                Files.move(data, target, StandardCopyOption.ATOMIC_MOVE);
                fsyncDir(target.getParent());
                deleteTree(dir);
            } finally {
                finish();
            }
        }

        private BerthException mismatch(String what) {
            deleteQuietly();
            return BerthException.dataLoss("committing %s: %s", expected, what);
        }

        @Override
        public void abort() {
            if (done) return;
            try { channel.close(); } catch (IOException ignored) { }
            deleteQuietly();
            finish();
        }

        /** Keeps the partial data so a later writer for the same ref resumes from {@link #offset()}. */
        @Override
        public void close() {
            if (done) return;
            try {
                if (channel.isOpen()) {
                    channel.force(false);
                    channel.close();
                }
            } catch (IOException ignored) {
                // The partial is only an optimisation; the next writer re-hashes whatever is on disk.
            }
            finish();
        }

        private void finish() {
            if (!done) { done = true; lock.unlock(); }
        }

        private void deleteQuietly() {
            try { deleteTree(dir); } catch (IOException ignored) { }
        }

        private void ensureOpen() throws IOException {
            if (done) throw new IOException("ingest " + ref + " is closed");
        }

        private final class HashingStream extends OutputStream {
            @Override public void write(int b) throws IOException { write(new byte[]{(byte) b}, 0, 1); }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                ensureOpen();
                if (expectedSize >= 0 && offset + len > expectedSize) {
                    abort();
                    throw BerthException.dataLoss("writing %s: size mismatch: more than the expected %d bytes", expected, expectedSize);
                }
                hasher.update(b, off, len);
                ByteBuffer buf = ByteBuffer.wrap(b, off, len);
                while (buf.hasRemaining()) channel.write(buf);
                offset += len;
            }
        }
    }

    private static void fsyncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }

    @Override public String toString() { return "FileContentStore[" + root + "]"; }
}
