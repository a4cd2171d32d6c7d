package io.berth.engine.store;

import io.berth.api.BerthException;
import io.berth.spec.image.Digest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SqliteImageStoreTest {
    @TempDir Path root;
    Database db;
    SqliteImageStore store;

    static final Digest A = Digest.sha256("a".getBytes());
    static final Digest B = Digest.sha256("b".getBytes());

    @BeforeEach
    void open() {
        db = Database.openIn(root);
        store = new SqliteImageStore(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    static ImageRecord image(Digest id) {
        return new ImageRecord(id, Digest.sha256(("m" + id).getBytes()), "application/vnd.oci.image.manifest.v1+json",
                1234, Instant.parse("2024-01-02T03:04:05.123456789Z"), Instant.parse("2025-06-07T08:09:10.5Z"));
    }

    @Test
    void databaseIsConfiguredForDurability() {
        assertThat(root.resolve("metadata.db")).exists();
        db.read(c -> {
            try (Statement st = c.createStatement()) {
                assertThat(query(st, "PRAGMA journal_mode")).isEqualTo("wal");
                assertThat(query(st, "PRAGMA synchronous")).isEqualTo("2");   // FULL
                assertThat(query(st, "PRAGMA foreign_keys")).isEqualTo("1");
                assertThat(Integer.parseInt(query(st, "PRAGMA busy_timeout"))).isPositive();
            }
            return null;
        });
        assertThat(db.schemaVersion("images")).isEqualTo(1);
    }

    private static String query(Statement st, String sql) throws java.sql.SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void putGetRoundTrip() {
        ImageRecord a = image(A);
        ImageRecord noDate = new ImageRecord(B, A, "application/vnd.docker.distribution.manifest.v2+json", 0,
                null, Instant.parse("0001-01-01T00:00:00Z"));
        store.put(a);
        store.put(noDate);
        assertThat(store.get(A)).contains(a);
        assertThat(store.get(B)).contains(noDate);
        assertThat(store.get(Digest.sha256("c".getBytes()))).isEmpty();
        assertThat(store.all()).containsExactly(noDate, a);
    }

    @Test
    void putAgainUpdatesFieldsButKeepsTagsAndFirstAddedAt() {
        store.put(image(A));
        store.tag(new TagRecord("busybox:latest", A, Instant.now()));
        ImageRecord again = new ImageRecord(A, B, "other", 99, null, Instant.parse("2030-01-01T00:00:00Z"));
        store.put(again);
        ImageRecord got = store.get(A).orElseThrow();
        assertThat(got.size()).isEqualTo(99);
        assertThat(got.manifestMediaType()).isEqualTo("other");
        assertThat(got.addedAt()).isEqualTo(image(A).addedAt());
        assertThat(store.tagsOf(A)).extracting(TagRecord::reference).containsExactly("busybox:latest");
    }

    @Test
    void findByIdPrefix() {
        store.put(image(A));
        store.put(image(B));
        assertThat(store.findByIdPrefix(A.hex().substring(0, 4))).extracting(ImageRecord::id).containsExactly(A);
        assertThat(store.findByIdPrefix(A.hex())).extracting(ImageRecord::id).containsExactly(A);
        // "a" is sha256 ca978112..., "b" is 3e23e816...
        assertThat(store.findByIdPrefix("c")).extracting(ImageRecord::id).containsExactly(A);
        assertThat(store.findByIdPrefix("")).isEmpty();
        assertThat(store.findByIdPrefix("%")).isEmpty();
        assertThat(store.findByIdPrefix("_")).isEmpty();
        assertThat(store.findByIdPrefix("CA")).isEmpty();
        assertThat(store.findByIdPrefix("sha256:ca")).isEmpty();
        assertThat(store.findByIdPrefix("ffff")).isEmpty();
    }

    @Test
    void tagReplacesWhatTheReferencePointedAt() {
        store.put(image(A));
        store.put(image(B));
        store.tag(new TagRecord("x:1", A, Instant.parse("2025-01-01T00:00:00Z")));
        store.tag(new TagRecord("x:1", B, Instant.parse("2025-01-02T00:00:00Z")));
        assertThat(store.resolve("x:1")).contains(new TagRecord("x:1", B, Instant.parse("2025-01-02T00:00:00Z")));
        assertThat(store.tagsOf(A)).isEmpty();
        assertThat(store.tagsOf(B)).hasSize(1);
        assertThat(store.allTags()).hasSize(1);
        assertThat(store.untag("x:1")).isTrue();
        assertThat(store.untag("x:1")).isFalse();
        assertThat(store.resolve("x:1")).isEmpty();
    }

    @Test
    void tagOfUnknownImageIsNotFound() {
        assertThatThrownBy(() -> store.tag(new TagRecord("x:1", A, Instant.now())))
                .isInstanceOf(BerthException.class)
                .satisfies(e -> assertThat(((BerthException) e).kind()).isEqualTo(BerthException.Kind.NOT_FOUND))
                .hasMessageStartingWith("tagging image " + A);
        assertThat(store.allTags()).isEmpty();
    }

    @Test
    void deleteCascadesToTags() {
        store.put(image(A));
        store.put(image(B));
        store.tag(new TagRecord("a:1", A, Instant.now()));
        store.tag(new TagRecord("a@" + B, A, Instant.now()));
        store.tag(new TagRecord("b:1", B, Instant.now()));
        store.delete(A);
        assertThat(store.get(A)).isEmpty();
        assertThat(store.allTags()).extracting(TagRecord::reference).containsExactly("b:1");
        store.delete(A);   // deleting what is gone is not an error
    }

    @Test
    void transactionRollsBackOnException() {
        store.put(image(B));
        assertThatThrownBy(() -> store.transaction(s -> {
            s.put(image(A));
            s.tag(new TagRecord("a:1", A, Instant.now()));
            s.delete(B);
            throw new IllegalStateException("boom");
        })).hasMessage("boom");
        assertThat(store.get(A)).isEmpty();
        assertThat(store.get(B)).isPresent();
        assertThat(store.allTags()).isEmpty();
    }

    @Test
    void nestedTransactionFailureUndoesOnlyItsOwnWork() {
        String r = store.transaction(s -> {
            s.put(image(A));
            try {
                s.transaction(inner -> {
                    inner.put(image(B));
                    throw new IllegalStateException("inner");
                });
            } catch (IllegalStateException expected) {
                // the outer transaction goes on
            }
            s.tag(new TagRecord("a:1", A, Instant.now()));
            return "done";
        });
        assertThat(r).isEqualTo("done");
        assertThat(store.get(A)).isPresent();
        assertThat(store.get(B)).isEmpty();
        assertThat(store.resolve("a:1")).isPresent();
    }

    @Test
    void reopenAfterCloseRetainsData() {
        store.put(image(A));
        store.tag(new TagRecord("a:1", A, Instant.now()));
        db.close();
        assertThatThrownBy(() -> store.get(A)).isInstanceOf(BerthException.class)
                .satisfies(e -> assertThat(((BerthException) e).kind()).isEqualTo(BerthException.Kind.UNAVAILABLE));
        db = Database.openIn(root);
        store = new SqliteImageStore(db);
        assertThat(store.get(A)).contains(image(A));
        assertThat(store.resolve("a:1").orElseThrow().imageId()).isEqualTo(A);
    }

    @Test
    void migrationsRunOnceAndRefuseDowngrade() {
        db.migrate("test", List.of("CREATE TABLE t1(x)"));
        db.migrate("test", List.of("CREATE TABLE t1(x)", "CREATE TABLE t2(y); INSERT INTO t2 VALUES(1)"));
        db.migrate("test", List.of("CREATE TABLE t1(x)", "CREATE TABLE t2(y); INSERT INTO t2 VALUES(1)"));
        assertThat(db.schemaVersion("test")).isEqualTo(2);
        assertThatThrownBy(() -> db.migrate("test", List.of("CREATE TABLE t1(x)")))
                .isInstanceOf(BerthException.class).hasMessageContaining("refusing to downgrade");
        // A failing step leaves the schema as it was.
        assertThatThrownBy(() -> db.migrate("test", List.of("CREATE TABLE t1(x)", "CREATE TABLE t2(y); INSERT INTO t2 VALUES(1)",
                "CREATE TABLE t3(z); THIS IS NOT SQL"))).isInstanceOf(BerthException.class);
        assertThat(db.schemaVersion("test")).isEqualTo(2);
        int t3 = db.read(c -> {
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_master WHERE name = 't3'")) {
                rs.next();
                return rs.getInt(1);
            }
        });
        assertThat(t3).isZero();
    }

    @Test
    void concurrentWritersAreSerialised() throws Exception {
        try (var ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 64; i++) {
                int n = i;
                ex.submit(() -> store.transaction(s -> {
                    Digest id = Digest.sha256(("c" + n).getBytes());
                    s.put(image(id));
                    s.tag(new TagRecord("c:" + n, id, Instant.now()));
                    return null;
                }));
            }
        }
        assertThat(store.all()).hasSize(64);
        assertThat(store.allTags()).hasSize(64);
    }

    /**
     * kill -9 of a writer at an arbitrary point: the file must open, and hold exactly the state after
     * some transaction K at or after the last one the child saw commit, never part of one.
     */
    @Test
    void survivesKillMinus9MidWrite() throws Exception {
        db.close();
        Path file = root.resolve("crash.db");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                StoreCrashChild.class.getName(), file.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        int last = -1;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("committed ")) last = Integer.parseInt(line.substring(10));
                if (last >= 150) break;
            }
            p.destroyForcibly();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(last).as("child committed before being killed").isGreaterThanOrEqualTo(150);

        db = Database.open(file);
        store = new SqliteImageStore(db);
        // K is the last transaction in the file. The child keeps committing between printing
        // "committed N" and being killed (under load, several more), so K is the newest image present:
        // image K is always there (only transaction K + 2 could delete it), but an image between `last`
        // and K may be missing, deleted by a later transaction, so the scan must not stop at a gap.
        int k = last;
        for (int n = last + 1; n <= last + 1000; n++) if (StoreCrashChild.imageIdExists(store, n)) k = n;
        List<String> problems = new ArrayList<>();
        for (int n = 0; n <= k + 5; n++) {
            boolean expected = n <= k && !StoreCrashChild.deletedBy(n, k);
            boolean present = store.get(StoreCrashChild.imageId(n)).isPresent();
            if (expected != present) problems.add("image " + n + (present ? " present" : " missing"));
        }
        for (ImageRecord img : store.all()) {
            List<TagRecord> tags = store.tagsOf(img.id());
            if (tags.size() != 3) problems.add("image " + img.id() + " has " + tags.size() + " tags");
        }
        assertThat(problems).isEmpty();
        assertThat(store.allTags()).hasSize(3 * store.all().size());
    }
}
