package io.berth.engine.snapshot;

import io.berth.spec.runtime.Mount;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The syscall path of {@link Mounter}: which mounts it takes, and real overlay and bind mounts (root). */
class DirectMountsTest {
    @TempDir Path tmp;

    @Test
    void takesOnlyTheShapesSnapshottersProduce() {
        assertThat(DirectMounts.supports(new Mount(null, "overlay", "overlay",
                List.of("workdir=/s/3/work", "upperdir=/s/3/fs", "lowerdir=/s/2/fs", "volatile")))).isTrue();
        assertThat(DirectMounts.supports(new Mount(null, "bind", "/s/1/fs", List.of("rbind", "ro")))).isTrue();
        // relative lowerdirs need mount(8) run in the snapshot directory
        assertThat(DirectMounts.supports(new Mount(null, "overlay", "overlay", List.of("ro", "lowerdir=2/fs:1/fs",
                Mounter.CHDIR_OPTION + "/x")))).isFalse();
        assertThat(DirectMounts.supports(new Mount(null, "bind", "/s", List.of("rbind", "nosuid")))).isFalse();
        assertThat(DirectMounts.supports(new Mount(null, "tmpfs", "tmpfs", List.of()))).isFalse();
    }

    @Test
    void mountsAndUnmountsOverlayAndReadOnlyBindWithoutMount8() throws IOException {
        Path lower = Files.createDirectories(tmp.resolve("lower")), upper = Files.createDirectories(tmp.resolve("upper")),
                work = Files.createDirectories(tmp.resolve("work")), target = Files.createDirectories(tmp.resolve("target"));
        Files.writeString(lower.resolve("f"), "from lower");
        Mounter m = new Mounter();
        Mount overlay = new Mount(null, "overlay", "overlay", List.of("workdir=" + work, "upperdir=" + upper, "lowerdir=" + lower));
        m.mount(List.of(overlay), target);
        try {
            assertThat(Mounter.isMountPoint(target)).isTrue();
            assertThat(Files.readString(target.resolve("f"))).isEqualTo("from lower");
            Files.writeString(target.resolve("g"), "new");
            assertThat(upper.resolve("g")).exists();
        } finally {
            assertThat(m.unmount(target)).isTrue();
        }
        assertThat(Mounter.isMountPoint(target)).isFalse();

        m.mount(List.of(new Mount(null, "bind", lower.toString(), List.of("rbind", "ro"))), target);
        try {
            assertThat(Files.readString(target.resolve("f"))).isEqualTo("from lower");
            assertThatThrownBy(() -> Files.writeString(target.resolve("h"), "x")).isInstanceOf(IOException.class)
                    .hasMessageContaining("Read-only");
        } finally {
            m.unmount(target);
        }
        assertThat(Mounter.isMountPoint(target)).isFalse();
        assertThatThrownBy(() -> m.mount(List.of(new Mount(null, "bind", tmp.resolve("missing").toString(), List.of("rbind"))), target))
                .isInstanceOf(IOException.class).hasMessageContaining("missing");
        assertThat(Mounter.isMountPoint(target)).isFalse();
    }
}
