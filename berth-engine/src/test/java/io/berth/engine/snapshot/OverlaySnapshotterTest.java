package io.berth.engine.snapshot;

import io.berth.engine.store.Database;
import io.berth.spec.runtime.Mount;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class OverlaySnapshotterTest extends SnapshotterContractTest {
    @Override
    DirectorySnapshotter open(Path root, Database db) {
        return new OverlaySnapshotter(root.resolve("snapshots/overlay"), db);
    }

    /** Overlay's whiteout: a 0/0 character device in the upper dir hides the lower file. */
    @Override
    void deleteInLayer(Path writable, String name) throws IOException {
        Path f = writable.resolve(name);
        Files.createDirectories(f.getParent());
        CommandRunner.system().run(CommandRunner.Invocation.of("mknod", f.toString(), "c", "0", "0"));
    }

    @Override
    void checkLongChainMounts(List<Mount> view) {
        assertThat(view).singleElement().satisfies(m -> {
            assertThat(m.type()).isEqualTo("overlay");
            assertThat(m.options()).contains(Mounter.CHDIR_OPTION + sn.directory());
            assertThat(m.options()).anySatisfy(o -> assertThat(o).startsWith("lowerdir=").doesNotContain(sn.directory().toString()));
        });
    }

    @Test
    void whiteoutDeviceIsWhatTheUpperDirHolds() throws IOException {
        layer("L1", null, Map.of("gone", "g"));
        sn.prepare("a", "L1", Map.of());
        Path upper = sn.writableDir("a");
        // Deleting through the mount makes the kernel write the same whiteout the applier writes.
        withMounted(sn.mounts("a"), mnt -> Files.delete(mnt.resolve("gone")));
        assertThat(((Number) Files.getAttribute(upper.resolve("gone"), "unix:rdev", java.nio.file.LinkOption.NOFOLLOW_LINKS)).longValue()).isZero();
        assertThat(Files.readAttributes(upper.resolve("gone"), java.nio.file.attribute.BasicFileAttributes.class,
                java.nio.file.LinkOption.NOFOLLOW_LINKS).isOther()).isTrue();
        assertThat(sn.whiteoutsAsDevices()).isTrue();
    }

    @Test
    void newUpperDirTakesTheParentRootsModeAndOwner() throws IOException {
        sn.prepare("a", null, Map.of());
        Path w = sn.writableDir("a");
        Files.setAttribute(w, "unix:mode", 01750);
        Files.setAttribute(w, "unix:uid", 1234);
        Files.setAttribute(w, "unix:gid", 5678);
        sn.commit("L1", "a");
        sn.prepare("b", "L1", Map.of());
        withMounted(sn.mounts("b"), mnt -> {
            assertThat((Integer) Files.getAttribute(mnt, "unix:mode") & 07777).isEqualTo(01750);
            assertThat(Files.getAttribute(mnt, "unix:uid")).isEqualTo(1234);
            assertThat(Files.getAttribute(mnt, "unix:gid")).isEqualTo(5678);
        });
    }
}
