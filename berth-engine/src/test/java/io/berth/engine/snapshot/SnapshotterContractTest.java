package io.berth.engine.snapshot;

import io.berth.api.BerthException;
import io.berth.engine.snapshot.SnapshotInfo.Kind;
import io.berth.engine.store.Database;
import io.berth.spec.runtime.Mount;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract every {@link Snapshotter} meets, run against real directories and real mounts (the
 * tests run as root). Subclasses say how to open the implementation and how a layer deletes a file.
 */
abstract class SnapshotterContractTest {
    @TempDir Path root;
    Database db;
    DirectorySnapshotter sn;
    final Mounter mounter = new Mounter();
    private final AtomicInteger targets = new AtomicInteger();

    abstract DirectorySnapshotter open(Path root, Database db);

    /** Records the deletion of {@code name} in an active snapshot's writable dir, as the layer applier would. */
    abstract void deleteInLayer(Path writable, String name) throws IOException;

    /** Implementation-specific checks of the mounts of a 130-layer view. */
    void checkLongChainMounts(List<Mount> view) {}

    @BeforeEach
    void setUp() {
        db = Database.openIn(root);
        sn = open(root, db);
    }

    @AfterEach
    void tearDown() throws IOException {
        sn.close();
        db.close();
        assertThat(Mounter.mountPointsUnder(root)).as("mounts leaked by the test").isEmpty();
    }

    interface MountedCheck {
        void check(Path mounted) throws IOException;
    }

    /** Mounts {@code mounts} on a fresh directory, runs the check, and always unmounts. */
    void withMounted(List<Mount> mounts, MountedCheck check) throws IOException {
        Path target = Files.createDirectories(root.resolve("mnt").resolve("t" + targets.incrementAndGet()));
        mounter.mount(mounts, target);
        try {
            check.check(target);
        } finally {
            mounter.unmount(target);
        }
        assertThat(Mounter.isMountPoint(target)).isFalse();
    }

    /** A committed layer named {@code name} on {@code parent} holding the given files (path → content, null = delete). */
    void layer(String name, String parent, Map<String, String> files) throws IOException {
        String key = "extract-" + name;
        sn.prepare(key, parent, Map.of(Snapshotters.TRANSIENT_LABEL, "true"));
        Path w = sn.writableDir(key);
        for (var e : files.entrySet()) {
            if (e.getValue() == null) {
                deleteInLayer(w, e.getKey());
            } else {
                Path f = w.resolve(e.getKey());
                Files.createDirectories(f.getParent());
                Files.writeString(f, e.getValue());
            }
        }
        sn.commit(name, key);
    }

    static void assertKind(ThrowingCallable call, BerthException.Kind kind) {
        assertThatThrownBy(call).isInstanceOf(BerthException.class)
                .satisfies(e -> assertThat(((BerthException) e).kind()).as(e.getMessage()).isEqualTo(kind));
    }

    @Test
    void prepareCommitStatList() throws IOException {
        List<Mount> m = sn.prepare("a", null, Map.of("x", "1", Snapshotters.TRANSIENT_LABEL, "true"));
        assertThat(m).hasSize(1);
        SnapshotInfo active = sn.stat("a").orElseThrow();
        assertThat(active.kind()).isEqualTo(Kind.ACTIVE);
        assertThat(active.parent()).isNull();
        assertThat(active.labels()).containsEntry("x", "1");
        Files.writeString(sn.writableDir("a").resolve("hello"), "world");
        sn.commit("L1", "a");

        assertThat(sn.stat("a")).isEmpty();
        SnapshotInfo l1 = sn.stat("L1").orElseThrow();
        assertThat(l1.kind()).isEqualTo(Kind.COMMITTED);
        assertThat(l1.labels()).containsEntry("x", "1").doesNotContainKey(Snapshotters.TRANSIENT_LABEL);
        assertThat(l1.created()).isEqualTo(active.created());

        sn.prepare("b", "L1", Map.of());
        sn.view("v", "L1", Map.of());
        assertThat(sn.list()).extracting(SnapshotInfo::key, SnapshotInfo::parent, SnapshotInfo::kind).containsExactly(
                org.assertj.core.groups.Tuple.tuple("L1", null, Kind.COMMITTED),
                org.assertj.core.groups.Tuple.tuple("b", "L1", Kind.ACTIVE),
                org.assertj.core.groups.Tuple.tuple("v", "L1", Kind.VIEW));
        withMounted(sn.mounts("L1"), mnt -> assertThat(Files.readString(mnt.resolve("hello"))).isEqualTo("world"));
    }

    @Test
    void layersStackAndDeletionsHideLowerFiles() throws IOException {
        layer("L1", null, Map.of("etc/x", "1", "keep", "k", "gone", "g", "dir/inner", "i"));
        layer("L2", "L1", mapOf("etc/x", "2", "gone", null, "new", "n"));
        layer("L3", "L2", Map.of("top", "3"));

        List<Mount> view = sn.view("v", "L3", Map.of());
        withMounted(view, mnt -> {
            assertThat(Files.readString(mnt.resolve("etc/x"))).isEqualTo("2");
            assertThat(Files.readString(mnt.resolve("keep"))).isEqualTo("k");
            assertThat(Files.readString(mnt.resolve("dir/inner"))).isEqualTo("i");
            assertThat(Files.readString(mnt.resolve("new"))).isEqualTo("n");
            assertThat(Files.readString(mnt.resolve("top"))).isEqualTo("3");
            assertThat(mnt.resolve("gone")).doesNotExist();
            // A view is read-only.
            assertThatThrownBy(() -> Files.writeString(mnt.resolve("w"), "w")).isInstanceOf(IOException.class);
        });
        // A committed snapshot mounts read-only with its own layer on top.
        withMounted(sn.mounts("L2"), mnt -> {
            assertThat(Files.readString(mnt.resolve("etc/x"))).isEqualTo("2");
            assertThat(mnt.resolve("gone")).doesNotExist();
            assertThat(mnt.resolve("top")).doesNotExist();
            assertThatThrownBy(() -> Files.writeString(mnt.resolve("w"), "w")).isInstanceOf(IOException.class);
        });
        // A single committed layer, and a view on it: read-only too.
        withMounted(sn.mounts("L1"), mnt -> {
            assertThat(Files.readString(mnt.resolve("gone"))).isEqualTo("g");
            assertThatThrownBy(() -> Files.writeString(mnt.resolve("w"), "w")).isInstanceOf(IOException.class);
        });
        withMounted(sn.view("v1", "L1", Map.of()), mnt -> assertThat(Files.readString(mnt.resolve("keep"))).isEqualTo("k"));
        withMounted(sn.view("empty", null, Map.of()), mnt -> {
            try (var s = Files.list(mnt)) { assertThat(s).isEmpty(); }
        });
    }

    static Map<String, String> mapOf(String... kv) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    @Test
    void activeSnapshotIsWritableThroughItsMountAndKeepsTheWrites() throws IOException {
        layer("L1", null, Map.of("base", "b"));
        List<Mount> m = sn.prepare("ctr", "L1", Map.of());
        withMounted(m, mnt -> {
            assertThat(Files.readString(mnt.resolve("base"))).isEqualTo("b");
            Files.writeString(mnt.resolve("written"), "w");
            Files.writeString(mnt.resolve("base"), "changed");
        });
        assertThat(Files.readString(sn.writableDir("ctr").resolve("written"))).isEqualTo("w");
        // Remounting (mounts() is a pure function of the metadata) shows the same state.
        withMounted(sn.mounts("ctr"), mnt -> {
            assertThat(Files.readString(mnt.resolve("written"))).isEqualTo("w");
            assertThat(Files.readString(mnt.resolve("base"))).isEqualTo("changed");
        });
        // The parent layer is untouched.
        withMounted(sn.mounts("L1"), mnt -> assertThat(Files.readString(mnt.resolve("base"))).isEqualTo("b"));
        // An active snapshot without parent is a writable directory of its own.
        withMounted(sn.prepare("scratch", null, Map.of()), mnt -> Files.writeString(mnt.resolve("s"), "s"));
        assertThat(sn.writableDir("scratch").resolve("s")).hasContent("s");
    }

    @Test
    void errorKinds() throws IOException {
        layer("L1", null, Map.of("f", "1"));
        sn.prepare("a", "L1", Map.of());
        sn.view("v", "L1", Map.of());

        assertKind(() -> sn.prepare("x", "nope", Map.of()), BerthException.Kind.NOT_FOUND);
        assertKind(() -> sn.view("x", "nope", Map.of()), BerthException.Kind.NOT_FOUND);
        assertKind(() -> sn.prepare("a", "L1", Map.of()), BerthException.Kind.CONFLICT);
        assertKind(() -> sn.prepare("L1", null, Map.of()), BerthException.Kind.CONFLICT);
        assertKind(() -> sn.prepare("x", "a", Map.of()), BerthException.Kind.CONFLICT);   // parent not committed
        assertKind(() -> sn.prepare("", null, Map.of()), BerthException.Kind.INVALID_ARGUMENT);
        assertKind(() -> sn.commit("L2", "nope"), BerthException.Kind.NOT_FOUND);
        assertKind(() -> sn.commit("L1", "a"), BerthException.Kind.CONFLICT);               // name taken
        assertKind(() -> sn.commit("L2", "v"), BerthException.Kind.CONFLICT);               // a view
        assertKind(() -> sn.commit("L3", "L1"), BerthException.Kind.CONFLICT);              // already committed
        assertKind(() -> sn.remove("L1"), BerthException.Kind.CONFLICT);                    // has children
        assertKind(() -> sn.remove("nope"), BerthException.Kind.NOT_FOUND);
        assertKind(() -> sn.mounts("nope"), BerthException.Kind.NOT_FOUND);
        assertKind(() -> sn.usage("nope"), BerthException.Kind.NOT_FOUND);
        assertKind(() -> sn.writableDir("nope"), BerthException.Kind.NOT_FOUND);
        assertKind(() -> sn.writableDir("L1"), BerthException.Kind.CONFLICT);
        assertKind(() -> sn.writableDir("v"), BerthException.Kind.CONFLICT);
        assertThatThrownBy(() -> sn.remove("L1")).hasMessageStartingWith("removing snapshot L1: ").hasMessageContaining("a");

        // A failed prepare leaves nothing behind.
        assertThat(sn.list()).extracting(SnapshotInfo::key).containsExactly("L1", "a", "v");
        try (var s = Files.list(sn.directory())) { assertThat(s).hasSize(3); }
    }

    @Test
    void removeDeletesRowAndDirectoryChildrenFirst() throws IOException {
        layer("L1", null, Map.of("f", "1"));
        layer("L2", "L1", Map.of("g", "2"));
        sn.prepare("a", "L2", Map.of());
        Path aDir = sn.writableDir("a").getParent();
        assertThat(aDir).isDirectory();
        sn.remove("a");
        assertThat(sn.stat("a")).isEmpty();
        assertThat(aDir).doesNotExist();
        sn.remove("L2");
        sn.remove("L1");
        assertThat(sn.list()).isEmpty();
        try (var s = Files.list(sn.directory())) { assertThat(s).isEmpty(); }
        // The key can be used again.
        sn.prepare("a", null, Map.of());
        assertThat(sn.stat("a")).isPresent();
    }

    @Test
    void usageCountsOwnFilesOnceDespiteHardLinks() throws IOException {
        sn.prepare("a", null, Map.of());
        Path w = sn.writableDir("a");
        Files.write(w.resolve("data"), new byte[1000]);
        Files.createLink(w.resolve("link"), w.resolve("data"));
        Files.createSymbolicLink(w.resolve("sym"), Path.of("/etc/passwd"));
        Files.createDirectories(w.resolve("d"));
        Files.write(w.resolve("d/more"), new byte[24]);
        assertThat(sn.usage("a")).isEqualTo(1024);
        sn.commit("L1", "a");
        assertThat(sn.usage("L1")).isEqualTo(1024);
    }

    /** How many layers {@link #longChainMounts} stacks: 130 where the length of mount options matters. */
    int longChainLength() {
        return 130;
    }

    /** Images of 100+ layers: the absolute lowerdir list would not fit one page of mount options. */
    @Test
    void longChainMounts() throws IOException {
        int n = longChainLength();
        String parent = null;
        for (int i = 0; i < n; i++) {
            layer("L" + i, parent, Map.of("f" + i, Integer.toString(i), "top", Integer.toString(i)));
            parent = "L" + i;
        }
        List<Mount> view = sn.view("v", parent, Map.of());
        checkLongChainMounts(view);
        withMounted(view, mnt -> {
            assertThat(Files.readString(mnt.resolve("top"))).isEqualTo(Integer.toString(n - 1));
            for (int i = 0; i < n; i++) assertThat(mnt.resolve("f" + i)).hasContent(Integer.toString(i));
        });
        withMounted(sn.prepare("ctr", parent, Map.of()), mnt -> {
            assertThat(mnt.resolve("f0")).hasContent("0");
            Files.writeString(mnt.resolve("top"), "ctr");
        });
        assertThat(sn.writableDir("ctr").resolve("top")).hasContent("ctr");
    }

    @Test
    void cleanupAfterCrashRemovesTransientSnapshotsAndOrphanedDirectories() throws IOException {
        layer("L1", null, Map.of("f", "1"));
        sn.prepare("extract-2", "L1", Map.of(Snapshotters.TRANSIENT_LABEL, "true"));
        sn.view("inspect-1", "L1", Map.of(Snapshotters.TRANSIENT_LABEL, "true"));
        sn.prepare("container-rootfs", "L1", Map.of("owner", "ctr-1"));
        Path extractDir = sn.writableDir("extract-2").getParent();
        Files.writeString(sn.writableDir("extract-2").resolve("half"), "written");
        Path dir = sn.directory();
        // What a crash leaves: a directory whose row never committed, a staging and a removal dir,
        // one of them with something still mounted below it.
        Files.createDirectories(dir.resolve("999/fs"));
        Path staged = Files.createDirectories(dir.resolve("tmp-crashed/fs"));
        Files.createDirectories(dir.resolve("rm-crashed/fs/a/b"));
        Path leakedMount = Files.createDirectories(staged.resolve("mnt"));
        mounter.mount(List.of(new Mount(null, "bind", sn.writableDir("container-rootfs").toString(), List.of("rbind", "ro"))), leakedMount);

        // "Crash": close everything without cleaning up, then start again.
        sn.close();
        db.close();
        db = Database.openIn(root);
        sn = open(root, db);
        sn.cleanup();

        assertThat(sn.list()).extracting(SnapshotInfo::key).containsExactly("L1", "container-rootfs");
        assertThat(extractDir).doesNotExist();
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).hasSize(2).doesNotContain("999", "tmp-crashed", "rm-crashed");
        }
        assertThat(Mounter.isMountPoint(leakedMount)).isFalse();
        // The bind mount's source survived the cleanup of the directory it was mounted into.
        assertThat(sn.writableDir("container-rootfs")).isDirectory();
        withMounted(sn.mounts("container-rootfs"), mnt -> assertThat(mnt.resolve("f")).hasContent("1"));
        // Nothing left to clean.
        sn.cleanup();
        assertThat(sn.list()).hasSize(2);
    }

    @Test
    void closedSnapshotterRefusesWork() {
        sn.close();
        assertKind(() -> sn.prepare("a", null, Map.of()), BerthException.Kind.UNAVAILABLE);
        assertKind(() -> sn.list(), BerthException.Kind.UNAVAILABLE);
    }

    @Test
    void concurrentPreparesGetDistinctDirectories() throws Exception {
        layer("L1", null, Map.of("f", "1"));
        List<Future<Path>> dirs = new ArrayList<>();
        try (var ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 16; i++) {
                int n = i;
                dirs.add(ex.submit(() -> {
                    sn.prepare("c" + n, n % 2 == 0 ? "L1" : null, Map.of());
                    return sn.writableDir("c" + n);
                }));
            }
        }
        List<Path> got = new ArrayList<>();
        for (Future<Path> f : dirs) got.add(f.get());
        assertThat(got).doesNotHaveDuplicates().allSatisfy(p -> assertThat(p).isDirectory());
        assertThat(sn.list()).hasSize(17);
    }
}
