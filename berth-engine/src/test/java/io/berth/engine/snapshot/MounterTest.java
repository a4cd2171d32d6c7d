package io.berth.engine.snapshot;

import io.berth.engine.snapshot.CommandRunner.Invocation;
import io.berth.spec.runtime.Mount;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Pure argv building and mountinfo parsing; a fake runner only to inject a failure. */
class MounterTest {
    static final Mounter.Tools TOOLS = new Mounter.Tools("/usr/bin/mount", "/usr/bin/umount");
    static final Path TARGET = Path.of("/mnt/t");

    @Test
    void bindMountsPutTheBindInTheOptions() {
        assertThat(Mounter.mountInvocation(TOOLS, new Mount(null, "bind", "/s/1/fs", List.of("rbind", "ro")), TARGET))
                .isEqualTo(new Invocation(List.of("/usr/bin/mount", "-o", "rbind,ro", "/s/1/fs", "/mnt/t"), null));
        assertThat(Mounter.mountInvocation(TOOLS, new Mount(null, "bind", "/s/1/fs", List.of("rw")), TARGET).argv())
                .containsExactly("/usr/bin/mount", "-o", "rbind,rw", "/s/1/fs", "/mnt/t");
        assertThat(Mounter.mountInvocation(TOOLS, new Mount("/ignored", "bind", "/s", null), TARGET).argv())
                .containsExactly("/usr/bin/mount", "-o", "rbind", "/s", "/mnt/t");
    }

    @Test
    void overlayMountsPassTypeAndOptions() {
        Mount m = new Mount(null, "overlay", "overlay", List.of("workdir=/s/3/work", "upperdir=/s/3/fs", "lowerdir=/s/2/fs:/s/1/fs"));
        assertThat(Mounter.mountInvocation(TOOLS, m, TARGET)).isEqualTo(new Invocation(List.of("/usr/bin/mount", "-t", "overlay",
                "-o", "workdir=/s/3/work,upperdir=/s/3/fs,lowerdir=/s/2/fs:/s/1/fs", "overlay", "/mnt/t"), null));
    }

    @Test
    void chdirOptionBecomesTheWorkingDirectoryAndIsNotPassedOn() {
        Mount m = new Mount(null, "overlay", "overlay", List.of("ro", "lowerdir=2/fs:1/fs", Mounter.CHDIR_OPTION + "/var/lib/berth/snapshots/overlay"));
        Invocation inv = Mounter.mountInvocation(TOOLS, m, TARGET);
        assertThat(inv.cwd()).isEqualTo(Path.of("/var/lib/berth/snapshots/overlay"));
        assertThat(inv.argv()).containsExactly("/usr/bin/mount", "-t", "overlay", "-o", "ro,lowerdir=2/fs:1/fs", "overlay", "/mnt/t");
    }

    @Test
    void unmountArgv() {
        assertThat(Mounter.unmountInvocation(TOOLS, TARGET).argv()).containsExactly("/usr/bin/umount", "/mnt/t");
    }

    @Test
    void parsesMountinfoWithEscapedPaths() {
        String info = """
                22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
                90 22 0:50 / /tmp/with\\040space rw - tmpfs tmpfs rw
                91 22 0:51 / /tmp/tab\\011and\\134slash rw - overlay overlay rw,lowerdir=/a:/b
                """;
        assertThat(Mounter.parseMountPoints(info)).containsExactly(Path.of("/"), Path.of("/tmp/with space"), Path.of("/tmp/tab\tand\\slash"));
        assertThat(Mounter.unescapeOctal("a\\04")).isEqualTo("a\\04");   // truncated escape left as is
    }

    @Test
    void failedMountUndoesTheMountsBeforeIt() {
        List<Invocation> ran = new ArrayList<>();
        Mounter m = new Mounter(TOOLS, inv -> {
            ran.add(inv);
            if (inv.argv().contains("/bad")) throw new IOException("mount failed");
            return "";
        });
        List<Mount> mounts = List.of(new Mount(null, "bind", "/good", List.of("ro")), new Mount(null, "bind", "/bad", List.of("ro")));
        assertThatThrownBy(() -> m.mount(mounts, TARGET)).hasMessage("mount failed");
        assertThat(ran).extracting(i -> i.argv().getFirst()).containsExactly("/usr/bin/mount", "/usr/bin/mount", "/usr/bin/umount");
    }
}
