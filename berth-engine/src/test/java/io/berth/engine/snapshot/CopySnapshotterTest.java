package io.berth.engine.snapshot;

import io.berth.engine.store.Database;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CopySnapshotterTest extends SnapshotterContractTest {
    @Override
    DirectorySnapshotter open(Path root, Database db) {
        return new CopySnapshotter(root.resolve("snapshots/copy"), db);
    }

    /**
     * Copy mounts are single bind mounts whatever the depth, so length does not matter here, and
     * each layer copies the whole tree below it: a shorter chain keeps the test quick.
     */
    @Override
    int longChainLength() {
        return 40;
    }

    /** A full copy records a deletion by deleting. */
    @Override
    void deleteInLayer(Path writable, String name) throws IOException {
        Trees.deleteTree(writable.resolve(name), mounter);
    }

    @Test
    void copyKeepsModesOwnersLinksDevicesAndXattrs() throws IOException {
        sn.prepare("a", null, Map.of());
        Path w = sn.writableDir("a");
        Files.setAttribute(w, "unix:mode", 0711);
        Path f = Files.writeString(w.resolve("suid"), "x");
        Files.setAttribute(f, "unix:uid", 1234);
        Files.setAttribute(f, "unix:gid", 5678);
        Files.setAttribute(f, "unix:mode", 04755);
        Files.createLink(w.resolve("hard"), f);
        Files.createSymbolicLink(w.resolve("sym"), Path.of("../outside"));
        CommandRunner.system().run(CommandRunner.Invocation.of("mknod", w.resolve("null").toString(), "c", "1", "3"));
        Files.getFileAttributeView(f, UserDefinedFileAttributeView.class)
                .write("berth.test", ByteBuffer.wrap("v".getBytes(StandardCharsets.UTF_8)));
        sn.commit("L1", "a");

        sn.prepare("b", "L1", Map.of());
        Path c = sn.writableDir("b");
        Path cf = c.resolve("suid");
        assertThat((Integer) Files.getAttribute(c, "unix:mode") & 07777).isEqualTo(0711);
        assertThat((Integer) Files.getAttribute(cf, "unix:mode") & 07777).isEqualTo(04755);
        assertThat(Files.getAttribute(cf, "unix:uid")).isEqualTo(1234);
        assertThat(Files.getAttribute(cf, "unix:gid")).isEqualTo(5678);
        assertThat(Files.getAttribute(cf, "unix:ino")).isEqualTo(Files.getAttribute(c.resolve("hard"), "unix:ino"));
        assertThat(Files.getAttribute(cf, "unix:ino")).isNotEqualTo(Files.getAttribute(f, "unix:ino"));
        assertThat(Files.readSymbolicLink(c.resolve("sym"))).isEqualTo(Path.of("../outside"));
        assertThat(Files.getAttribute(c.resolve("null"), "unix:rdev", LinkOption.NOFOLLOW_LINKS))
                .isEqualTo(Files.getAttribute(w.resolve("null"), "unix:rdev", LinkOption.NOFOLLOW_LINKS));
        UserDefinedFileAttributeView x = Files.getFileAttributeView(cf, UserDefinedFileAttributeView.class);
        ByteBuffer buf = ByteBuffer.allocate(16);
        x.read("berth.test", buf);
        assertThat(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8)).isEqualTo("v");
        assertThat(sn.whiteoutsAsDevices()).isFalse();
    }
}
