package io.berth.engine.container;

import io.berth.engine.runtime.ConmonRuntime;
import io.berth.engine.runtime.RuntimeConfig;
import io.berth.engine.snapshot.Mounter;
import io.berth.engine.snapshot.SnapshotInfo;
import io.berth.engine.snapshot.Snapshotter;
import io.berth.engine.snapshot.Snapshotters;
import io.berth.engine.store.Database;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** What a daemon killed between create's (or remove's) steps leaves behind is swept; known containers are not touched. */
class OrphanSweepTest {
    @TempDir Path root;

    @Test
    void removesSnapshotsDirectoriesAndRuntimeFilesOfUnknownIdsOnly() throws Exception {
        Mounter mounter = new Mounter();
        try (Database db = Database.openIn(root); Snapshotter snaps = Snapshotters.open(root, db, mounter)) {
            Path containers = root.resolve("containers");
            for (String id : List.of("lost", "kept")) {
                snaps.prepare("container-" + id, null, Map.of());
                Files.createDirectories(containers.resolve(id).resolve("rootfs"));
            }
            snaps.prepare("not-a-container", null, Map.of());
            // the lost one was mounted when the daemon died
            mounter.mount(snaps.mounts("container-lost"), containers.resolve("lost").resolve("rootfs"));

            RuntimeConfig rc = RuntimeConfig.under(root.resolve("run"));
            ConmonRuntime runtime = new ConmonRuntime(rc);
            Files.createDirectories(rc.containerDir().resolve("lost").resolve("exec").resolve("x1"));
            Files.createDirectories(rc.containerDir().resolve("kept"));
            Files.createDirectories(rc.exitDir());
            Files.writeString(rc.exitDir().resolve("lost"), "0");
            Files.writeString(rc.exitDir().resolve("kept"), "0");
            Files.createDirectories(rc.socketDir());
            Files.createSymbolicLink(rc.socketDir().resolve("x1"), rc.containerDir().resolve("lost").resolve("exec").resolve("x1"));
            Files.createSymbolicLink(rc.socketDir().resolve("gone"), root.resolve("nowhere"));
            Files.createDirectories(root.resolve("live-exec"));
            Files.createSymbolicLink(rc.socketDir().resolve("x2"), root.resolve("live-exec"));

            List<String> report = OrphanSweep.sweep(snaps, "container-", mounter, containers, runtime, Set.of("kept")::contains);

            assertThat(snaps.list().stream().map(SnapshotInfo::key)).containsExactlyInAnyOrder("container-kept", "not-a-container");
            assertThat(Mounter.mountPointsUnder(root)).isEmpty();
            assertThat(containers.resolve("lost")).doesNotExist();
            assertThat(containers.resolve("kept")).isDirectory();
            assertThat(rc.containerDir().resolve("lost")).doesNotExist();
            assertThat(rc.containerDir().resolve("kept")).isDirectory();
            assertThat(rc.exitDir().resolve("lost")).doesNotExist();
            assertThat(rc.exitDir().resolve("kept")).exists();
            assertThat(Files.exists(rc.socketDir().resolve("x1"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).as("link of the lost container's exec").isFalse();
            assertThat(Files.exists(rc.socketDir().resolve("gone"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
            assertThat(rc.socketDir().resolve("x2")).as("a live exec's link").exists();
            assertThat(report).anyMatch(l -> l.contains("container-lost")).noneMatch(l -> l.contains("kept"));

            assertThat(OrphanSweep.sweep(snaps, "container-", mounter, containers, runtime, Set.of("kept")::contains))
                    .as("a second sweep finds nothing").isEmpty();
        } finally {
            mounter.unmountAllUnder(root);
        }
    }
}
