package io.berth.engine.volume;

import io.berth.api.BerthException;
import io.berth.api.volume.VolumeCreateSpec;
import io.berth.api.volume.VolumeDetails;
import io.berth.api.volume.VolumePruneReport;
import io.berth.engine.store.Database;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The volume store on a real SQLite file and directory tree, reopened to prove durability. */
class VolumeServiceTest {
    @TempDir Path root;
    Database db;
    VolumeService vs;

    @BeforeEach
    void open() {
        db = Database.openIn(root);
        vs = new VolumeService(db, root);
    }

    @AfterEach
    void close() { db.close(); }

    private static VolumeCreateSpec named(String n, Map<String, String> labels) { return new VolumeCreateSpec(n, null, null, labels); }

    @Test
    void createsIdempotentlyWithDockersLayoutAndSurvivesReopen() throws Exception {
        VolumeDetails v = vs.create(named("data1", Map.of("k", "v")));
        assertThat(v.mountpoint()).isEqualTo(root.resolve("volumes/data1/_data").toString());
        assertThat(Path.of(v.mountpoint())).isDirectory();
        assertThat(v.driver()).isEqualTo("local");
        assertThat(v.scope()).isEqualTo("local");
        assertThat(v.anonymous()).isFalse();
        Files.writeString(Path.of(v.mountpoint(), "f"), "kept");
        VolumeDetails again = vs.create(named("data1", Map.of("other", "x")));
        assertThat(again.createdAt()).isEqualTo(v.createdAt());
        assertThat(again.labels()).containsExactly(Map.entry("k", "v"));

        db.close();
        db = Database.openIn(root);
        vs = new VolumeService(db, root);
        VolumeDetails reopened = vs.inspect("data1");
        assertThat(reopened.labels()).containsEntry("k", "v");
        assertThat(reopened.createdAt()).isEqualTo(v.createdAt());
        assertThat(Files.readString(Path.of(reopened.mountpoint(), "f"))).isEqualTo("kept");
    }

    @Test
    void refusesBadNamesUnknownDriversAndOptions() {
        for (String bad : List.of("a", "-x", "a/b", "a b", "_x")) {
            assertThatThrownBy(() -> vs.create(named(bad, null))).isInstanceOf(BerthException.class)
                    .hasMessageContaining("includes invalid characters for a local volume name")
                    .extracting(e -> ((BerthException) e).kind()).isEqualTo(BerthException.Kind.INVALID_ARGUMENT);
        }
        assertThatThrownBy(() -> vs.create(new VolumeCreateSpec("ok1", "nfs-plugin", null, null))).hasMessageContaining("plugin \"nfs-plugin\" not found");
        assertThatThrownBy(() -> vs.create(new VolumeCreateSpec("ok1", null, Map.of("bogus", "1"), null))).hasMessageContaining("invalid option key");
        assertThatThrownBy(() -> vs.inspect("nope")).hasMessage("get nope: no such volume");
        assertThatThrownBy(() -> vs.remove("nope", false)).hasMessage("get nope: no such volume");
        vs.remove("nope", true);
    }

    @Test
    void anonymousVolumesGetRandomNames() {
        VolumeDetails a = vs.create(new VolumeCreateSpec(null, null, null, null));
        assertThat(a.name()).matches("[0-9a-f]{64}");
        assertThat(a.anonymous()).as("docker volume create without a name: not anonymous").isFalse();
        VolumeDetails b = vs.createAnonymous();
        assertThat(b.anonymous()).isTrue();
        assertThat(b.labels()).containsEntry(VolumeService.ANONYMOUS_LABEL, "");
    }

    @Test
    void removeRefusesAVolumeInUseAndNamesTheContainers() throws Exception {
        vs.create(named("busy", null));
        vs.addRef(new VolumeRef("busy", "c1", "/data", false, "z", false, false));
        vs.addRef(new VolumeRef("busy", "c2", "/d2", true, "ro", false, false));
        assertThatThrownBy(() -> vs.remove("busy", true)).isInstanceOf(BerthException.class)
                .hasMessage("remove busy: volume is in use - [c1, c2]")
                .extracting(e -> ((BerthException) e).kind()).isEqualTo(BerthException.Kind.CONFLICT);
        assertThat(vs.list(Map.of("dangling", List.of("true")))).isEmpty();
        assertThat(vs.list(Map.of("dangling", List.of("false")))).extracting(VolumeDetails::name).containsExactly("busy");
        vs.release("c1", true);
        assertThat(vs.inspect("busy").name()).isEqualTo("busy");
        vs.releaseUnknown(java.util.Set.of());
        vs.remove("busy", false);
        assertThat(Path.of(root.toString(), "volumes", "busy")).doesNotExist();
        // a removal cut short after the rename: the next start deletes the trash
        Files.createDirectories(root.resolve("volumes/.trash-old-1/_data"));
        Files.writeString(root.resolve("volumes/.trash-old-1/_data/x"), "x");
        new VolumeService(db, root);
        assertThat(root.resolve("volumes/.trash-old-1")).doesNotExist();
        try (var s = Files.list(root.resolve("volumes"))) { assertThat(s).isEmpty(); }
    }

    @Test
    void releaseRemovesOnlyAnonymousVolumesWhenAsked() {
        VolumeDetails anon = vs.createAnonymous();
        vs.ensure("named1");
        vs.addRef(new VolumeRef(anon.name(), "c1", "/a", false, "", false, false));
        vs.addRef(new VolumeRef("named1", "c1", "/n", false, "z", false, false));
        assertThat(vs.release("c1", true)).containsExactly(anon.name());
        assertThat(vs.list(Map.of())).extracting(VolumeDetails::name).containsExactly("named1");
        VolumeDetails kept = vs.createAnonymous();
        vs.addRef(new VolumeRef(kept.name(), "c2", "/a", false, "", false, false));
        assertThat(vs.release("c2", false)).isEmpty();
        assertThat(vs.list(Map.of())).extracting(VolumeDetails::name).contains(kept.name());
    }

    @Test
    void listFilters() {
        vs.create(named("web-data", Map.of("app", "web")));
        vs.create(named("db-data", Map.of("app", "db", "tier", "back")));
        assertThat(vs.list(Map.of("name", List.of("web")))).extracting(VolumeDetails::name).containsExactly("web-data");
        assertThat(vs.list(Map.of("label", List.of("app=db")))).extracting(VolumeDetails::name).containsExactly("db-data");
        assertThat(vs.list(Map.of("label", List.of("app")))).hasSize(2);
        assertThat(vs.list(Map.of("driver", List.of("local")))).hasSize(2);
        assertThat(vs.list(Map.of("driver", List.of("other")))).isEmpty();
        assertThatThrownBy(() -> vs.list(Map.of("colour", List.of("x")))).hasMessage("invalid filter 'colour'");
    }

    @Test
    void pruneRemovesUnusedAnonymousVolumesUnlessAllIsGiven() throws Exception {
        vs.create(named("keepme", Map.of("x", "1")));
        VolumeDetails anon = vs.createAnonymous();
        Files.write(Path.of(anon.mountpoint(), "blob"), new byte[1000]);
        VolumeDetails used = vs.createAnonymous();
        vs.addRef(new VolumeRef(used.name(), "c1", "/u", false, "", false, false));

        VolumePruneReport r = vs.prune(Map.of());
        assertThat(r.volumesDeleted()).containsExactly(anon.name());
        assertThat(r.spaceReclaimed()).isEqualTo(1000);
        assertThat(vs.prune(Map.of("all", List.of("true"), "label", List.of("x=2"))).volumesDeleted()).isEmpty();
        assertThat(vs.prune(Map.of("all", List.of("true"), "label!", List.of("x")))).extracting(VolumePruneReport::volumesDeleted).asList().isEmpty();
        assertThat(vs.prune(Map.of("all", List.of("true"))).volumesDeleted()).containsExactly("keepme");
        assertThat(vs.list(Map.of())).extracting(VolumeDetails::name).containsExactly(used.name());
    }

    @Test
    void tmpfsDriverOptionsMountTheVolumeUntilItIsRemoved() throws Exception {
        vs.create(new VolumeCreateSpec("fast", null, Map.of("type", "tmpfs", "device", "tmpfs", "o", "size=8m"), null));
        assertThat(vs.inspect("fast").options()).containsEntry("type", "tmpfs");
        Path data = vs.data("fast");
        try {
            vs.prepare("fast");
            assertThat(VolumeService.isMountPoint(data)).isTrue();
            vs.prepare("fast"); // once only
            assertThat(Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().filter(l -> l.contains(data.toString()))).hasSize(1);
        } finally {
            vs.remove("fast", false);
        }
        assertThat(VolumeService.isMountPoint(data)).isFalse();
        assertThat(data).doesNotExist();
        assertThatThrownBy(() -> vs.create(new VolumeCreateSpec("half", null, Map.of("o", "size=1m"), null)))
                .hasMessageContaining("missing required option");
    }
}
