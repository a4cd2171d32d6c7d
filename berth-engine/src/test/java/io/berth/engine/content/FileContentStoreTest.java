package io.berth.engine.content;

import io.berth.api.BerthException;
import io.berth.spec.image.Digest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileContentStoreTest {
    @TempDir Path root;
    FileContentStore store;

    @BeforeEach
    void open() throws IOException { store = new FileContentStore(root); }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private void write(byte[] data) throws IOException {
        Digest d = Digest.sha256(data);
        try (ContentWriter w = store.writer(d.toString(), d, data.length)) {
            w.stream().write(data);
            w.commit();
        }
    }

    @Test
    void commitsVerifiedBlobReadOnlyAndReadsItBack() throws IOException {
        byte[] data = random(3 << 20, 1);
        Digest d = Digest.sha256(data);
        write(data);
        assertThat(store.readAll(d)).isEqualTo(data);
        assertThat(store.info(d)).get().extracting(ContentInfo::size).isEqualTo((long) data.length);
        Path blob = root.resolve("blobs/sha256/" + d.hex());
        assertThat(Files.getPosixFilePermissions(blob)).isEqualTo(PosixFilePermissions.fromString("r--r--r--"));
        assertThat(store.list()).extracting(ContentInfo::digest).containsExactly(d);
        assertThat(ingestDirs()).isEmpty();
    }

    @Test
    void digestMismatchIsDataLossNamingBothDigestsAndLeavesNothing() throws IOException {
        byte[] data = "hello".getBytes(StandardCharsets.UTF_8);
        Digest wrong = Digest.sha256("other".getBytes(StandardCharsets.UTF_8));
        ContentWriter w = store.writer("x", wrong, data.length);
        w.stream().write(data);
        assertThatThrownBy(w::commit)
                .isInstanceOfSatisfying(BerthException.class, e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.DATA_LOSS))
                .hasMessageContaining("digest mismatch")
                .hasMessageContaining("expected " + wrong)
                .hasMessageContaining("got " + Digest.sha256(data));
        w.close();
        assertThat(store.info(wrong)).isEmpty();
        assertThat(store.list()).isEmpty();
        assertThat(ingestDirs()).isEmpty();
    }

    @Test
    void sizeMismatchIsDataLoss() throws IOException {
        byte[] data = "hello".getBytes(StandardCharsets.UTF_8);
        Digest d = Digest.sha256(data);
        try (ContentWriter w = store.writer("short", d, 10)) {
            w.stream().write(data);
            assertThatThrownBy(w::commit).isInstanceOf(BerthException.class).hasMessageContaining("size mismatch: expected 10 bytes, got 5");
        }
        assertThat(ingestDirs()).isEmpty();
    }

    @Test
    void writingMoreThanExpectedFailsAtOnce() throws IOException {
        byte[] data = random(100, 2);
        Digest d = Digest.sha256(data);
        try (ContentWriter w = store.writer("long", d, 50)) {
            assertThatThrownBy(() -> w.stream().write(data))
                    .isInstanceOfSatisfying(BerthException.class, e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.DATA_LOSS));
        }
        assertThat(ingestDirs()).isEmpty();
    }

    @Test
    void identicalBlobIsStoredOnceAndSecondWriterIsNoOp() throws IOException {
        byte[] data = random(1000, 3);
        Digest d = Digest.sha256(data);
        write(data);
        try (ContentWriter w = store.writer("another-ref", d, data.length)) {
            assertThat(w.offset()).isEqualTo(data.length); // tells a downloader there is nothing to fetch
            w.stream().write(new byte[]{1, 2, 3}); // ignored
            w.commit();
        }
        assertThat(store.readAll(d)).isEqualTo(data);
        assertThat(store.list()).hasSize(1);
    }

    @Test
    void writerForStoredDigestWithOtherSizeIsDataLoss() throws IOException {
        byte[] data = random(1000, 14);
        write(data);
        assertThatThrownBy(() -> store.writer("liar", Digest.sha256(data), 999))
                .isInstanceOfSatisfying(BerthException.class, e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.DATA_LOSS))
                .hasMessageContaining("expected 999 bytes, the stored blob has 1000");
        try (ContentWriter w = store.writer("ok", Digest.sha256(data), 1000)) { w.commit(); } // the lock was released
    }

    @Test
    void closeWithoutCommitKeepsPartialAndNextWriterResumes() throws IOException {
        byte[] data = random(5 << 20, 4);
        Digest d = Digest.sha256(data);
        int half = data.length / 2 + 17;
        try (ContentWriter w = store.writer(d.toString(), d, data.length)) {
            w.stream().write(data, 0, half);
        }
        assertThat(store.info(d)).isEmpty();
        try (ContentWriter w = store.writer(d.toString(), d, data.length)) {
            assertThat(w.offset()).isEqualTo(half);
            w.stream().write(data, half, data.length - half); // hashing must include the re-read partial
            w.commit();
        }
        assertThat(store.readAll(d)).isEqualTo(data);
    }

    @Test
    void truncateRestartsFromZero() throws IOException {
        byte[] data = random(10_000, 5);
        Digest d = Digest.sha256(data);
        try (ContentWriter w = store.writer("t", d, data.length)) {
            w.stream().write(random(4000, 99)); // garbage from a server that ignored Range
        }
        try (ContentWriter w = store.writer("t", d, data.length)) {
            assertThat(w.offset()).isEqualTo(4000);
            w.truncate();
            assertThat(w.offset()).isZero();
            w.stream().write(data);
            w.commit();
        }
        assertThat(store.readAll(d)).isEqualTo(data);
    }

    @Test
    void partialForAnotherDigestUnderSameRefIsDiscarded() throws IOException {
        byte[] a = random(1000, 6), b = random(1000, 7);
        try (ContentWriter w = store.writer("same", Digest.sha256(a), a.length)) {
            w.stream().write(a, 0, 500);
        }
        try (ContentWriter w = store.writer("same", Digest.sha256(b), b.length)) {
            assertThat(w.offset()).isZero();
        }
    }

    @Test
    void abortDiscardsPartial() throws IOException {
        byte[] data = random(1000, 8);
        Digest d = Digest.sha256(data);
        ContentWriter w = store.writer("a", d, data.length);
        w.stream().write(data, 0, 10);
        w.abort();
        w.close();
        assertThat(ingestDirs()).isEmpty();
        try (ContentWriter w2 = store.writer("a", d, data.length)) {
            assertThat(w2.offset()).isZero();
        }
    }

    @Test
    void oneWriterPerRefSecondWaitsThenSeesCommittedBlob() throws Exception {
        byte[] data = random(1000, 9);
        Digest d = Digest.sha256(data);
        ContentWriter first = store.writer("shared", d, data.length);
        first.stream().write(data);
        CountDownLatch started = new CountDownLatch(1);
        try (ExecutorService ex = Executors.newSingleThreadExecutor()) {
            Future<Long> second = ex.submit(() -> {
                started.countDown();
                try (ContentWriter w = store.writer("shared", d, data.length)) { return w.offset(); }
            });
            started.await();
            Thread.sleep(200);
            assertThat(second.isDone()).as("second writer must wait for the first").isFalse();
            first.commit();
            first.close();
            assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo(data.length);
        }
    }

    @Test
    void writerTimesOutWithConflictWhenRefStaysBusy() throws Exception {
        FileContentStore quick = new FileContentStore(root, 100);
        Digest d = Digest.sha256(new byte[]{1});
        ContentWriter holder = quick.writer("busy", d, 1);
        try (ExecutorService ex = Executors.newSingleThreadExecutor()) {
            Future<?> f = ex.submit(() -> quick.writer("busy", d, 1));
            assertThatThrownBy(f::get).cause()
                    .isInstanceOfSatisfying(BerthException.class, e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.CONFLICT));
        } finally {
            holder.close();
        }
    }

    @Test
    void cleanIngestsRemovesLeftoversButNotLiveWriters() throws IOException {
        byte[] a = random(100, 10), b = random(100, 11);
        try (ContentWriter w = store.writer("left", Digest.sha256(a), a.length)) { w.stream().write(a, 0, 50); }
        try (ContentWriter live = store.writer("live", Digest.sha256(b), b.length)) {
            live.stream().write(b, 0, 10);
            assertThat(ingestDirs()).hasSize(2);
            store.cleanIngests();
            assertThat(ingestDirs()).hasSize(1);
            live.stream().write(b, 10, 90);
            live.commit();
        }
        assertThat(store.readAll(Digest.sha256(b))).isEqualTo(b);
    }

    @Test
    void missingBlobIsNotFound() {
        Digest d = Digest.sha256(new byte[]{42});
        assertThatThrownBy(() -> store.open(d))
                .isInstanceOfSatisfying(BerthException.class, e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.NOT_FOUND))
                .hasMessageContaining(d.toString());
        assertThatThrownBy(() -> store.delete(d)).isInstanceOf(BerthException.class);
    }

    @Test
    void deleteRemovesBlob() throws IOException {
        byte[] data = random(10, 12);
        write(data);
        store.delete(Digest.sha256(data));
        assertThat(store.list()).isEmpty();
    }

    @Test
    void sha512IsSupported() throws IOException {
        byte[] data = random(1000, 13);
        Digest d = new Digest("sha512", java.util.HexFormat.of().formatHex(new Digest("sha512", "0".repeat(128)).newHasher().digest(data)));
        try (ContentWriter w = store.writer("512", d, -1)) {
            w.stream().write(data);
            w.commit();
        }
        assertThat(store.readAll(d)).isEqualTo(data);
    }

    private java.util.List<Path> ingestDirs() throws IOException {
        try (Stream<Path> s = Files.list(root.resolve("ingest"))) { return s.toList(); }
    }
}
