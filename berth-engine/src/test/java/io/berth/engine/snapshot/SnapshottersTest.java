package io.berth.engine.snapshot;

import io.berth.engine.store.Database;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SnapshottersTest {
    @TempDir Path root;

    @Test
    void picksOverlayWhereTheKernelMountsIt() throws IOException {
        try (Database db = Database.openIn(root); Snapshotter sn = Snapshotters.open(root, db)) {
            assertThat(sn).isInstanceOf(OverlaySnapshotter.class);
            assertThat(((OverlaySnapshotter) sn).directory()).isEqualTo(root.resolve("snapshots/overlay"));
            sn.prepare("a", null, Map.of());
        }
        try (var s = Files.list(root.resolve("snapshots"))) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("overlay");   // no probe left
        }
        assertThat(Mounter.mountPointsUnder(root)).isEmpty();
    }

    @Test
    void fallsBackToCopyWhenOverlayCannotBeMounted() throws IOException {
        // Fault injection: a mount(8) that refuses overlay, as on an engine root that is itself overlayfs.
        CommandRunner system = CommandRunner.system();
        Mounter noOverlay = new Mounter(Mounter.Tools.defaults(), inv -> {
            if (inv.argv().contains("overlay")) throw new IOException("mount: wrong fs type");
            return system.run(inv);
        });
        try (Database db = Database.openIn(root); Snapshotter sn = Snapshotters.open(root, db, noOverlay)) {
            assertThat(sn).isInstanceOf(CopySnapshotter.class);
            assertThat(sn.whiteoutsAsDevices()).isFalse();
        }
        assertThat(Snapshotters.overlaySupported(root.resolve("snapshots"), noOverlay)).isFalse();
        assertThat(Snapshotters.overlaySupported(root.resolve("snapshots"), new Mounter())).isTrue();
    }

    @Test
    void staleProbeFromACrashIsRemoved() throws IOException {
        Path stale = Files.createDirectories(root.resolve("snapshots/probe-crashed/merged"));
        Mounter m = new Mounter();
        m.mount(java.util.List.of(new io.berth.spec.runtime.Mount(null, "bind", root.toString(), java.util.List.of("rbind", "ro"))), stale);
        try (Database db = Database.openIn(root); Snapshotter sn = Snapshotters.open(root, db)) {
            assertThat(sn).isInstanceOf(OverlaySnapshotter.class);
        } finally {
            m.unmount(stale);
        }
        assertThat(root.resolve("snapshots/probe-crashed")).doesNotExist();
        assertThat(Mounter.mountPointsUnder(root)).isEmpty();
    }
}
