package io.berth.engine.container;

import io.berth.api.BerthException;
import io.berth.api.container.ContainerEngine;
import io.berth.api.container.ContainerListOptions;
import io.berth.api.container.ContainerSpec;
import io.berth.api.container.ContainerSummary;
import io.berth.api.container.HostSpec;
import io.berth.api.container.WaitCondition;
import io.berth.api.image.PullOptions;
import io.berth.engine.Engine;
import io.berth.engine.EngineConfig;
import io.berth.engine.NativeEngine;
import io.berth.engine.registry.TestRegistry;
import io.berth.engine.snapshot.Mounter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.berth.engine.container.ContainerCopyTest.file;
import static io.berth.engine.container.ContainerCopyTest.read;
import static io.berth.engine.container.ContainerCopyTest.symlink;
import static io.berth.engine.container.ContainerCopyTest.tar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * docker cp through a container's mounts: a directory bind (-v HOSTDIR:/data) both ways, file binds
 * (one on /etc/hostname, as the network code mounts it), running and not running, and symlinks in a
 * bind source that try to leave it.
 */
class ContainerMountCopyTest {
    @TempDir static Path shared;
    static TestRegistry registry;
    static String image;

    Path root, hostDir, hostname, secretDir, roDir;
    Engine engine;
    ContainerEngine ctr;

    @BeforeAll
    static void pushBusybox() throws IOException {
        registry = TestRegistry.start(shared.resolve("registry"));
        image = ContainerServiceTest.pushBusyboxImage(registry);
    }

    @AfterAll
    static void stopRegistry() { registry.close(); }

    @BeforeEach
    void open() throws IOException {
        root = Path.of("/tmp", "bmc-" + java.util.HexFormat.of().toHexDigits(java.util.concurrent.ThreadLocalRandom.current().nextInt()));
        engine = NativeEngine.open(EngineConfig.defaults(root));
        ctr = engine.containers();
        engine.images().pull(PullOptions.of(image), e -> { });
        hostDir = Files.createDirectories(root.resolve("host-data"));
        Files.writeString(hostDir.resolve("from-host"), "written on the host");
        hostname = Files.writeString(root.resolve("hostname-file"), "cp-test-host\n");
        secretDir = Files.createDirectories(root.resolve("host-secret"));
        roDir = Files.createDirectories(root.resolve("host-ro"));
        Files.writeString(secretDir.resolve("secret"), "host only");
        // planted in the bind source: an absolute link to "/" and a relative one climbing out of it
        Files.createSymbolicLink(hostDir.resolve("to-root"), Path.of("/"));
        Files.createSymbolicLink(hostDir.resolve("up"), Path.of("../host-secret"));
    }

    @AfterEach
    void cleanUp() throws IOException {
        for (ContainerSummary s : ctr.list(ContainerListOptions.ALL)) ctr.remove(s.id(), true, false);
        engine.close();
        assertThat(Mounter.mountPointsUnder(root)).as("mounts left under the engine root").isEmpty();
        try (var w = Files.walk(root)) {
            for (Path p : w.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private String create(List<String> cmd) {
        HostSpec d = HostSpec.DEFAULT;
        HostSpec h = new HostSpec(List.of(hostDir + ":/data", hostname + ":/etc/hostname:ro", roDir + ":/ro:ro"), d.mounts(), d.tmpfs(), d.networkMode(),
                d.autoRemove(), d.privileged(), d.capAdd(), d.capDrop(), d.securityOpt(), d.readOnlyRootfs(), d.init(), d.ulimits(),
                d.shmSize(), d.restartPolicy(), d.restartMaxRetries(), d.resources(), d.runtime(), d.groupAdd(), d.sysctls(),
                d.oomScoreAdj(), d.pidMode(), d.ipcMode(), d.utsMode(), d.consoleSize());
        return ctr.create(ContainerSpec.of(image, cmd).withHost(h)).id();
    }

    private void bothWays(String id) throws IOException {
        ctr.archivePut(id, "/data/", tar(t -> file(t, "from-cp", "copied in", 0644)), true);
        assertThat(Files.readString(hostDir.resolve("from-cp"))).isEqualTo("copied in");
        assertThat(read(ctr.archiveGet(id, "/data/from-host"))).containsExactly(Map.entry("from-host", "written on the host"));
        assertThat(ctr.archiveStat(id, "/data").isDirectory()).isTrue();
        assertThat(read(ctr.archiveGet(id, "/data/."))).containsKeys("from-host", "from-cp");
        assertThat(read(ctr.archiveGet(id, "/etc/hostname"))).containsExactly(Map.entry("hostname", "cp-test-host\n"));
        assertThat(ctr.archiveStat(id, "/etc/hostname").size()).isEqualTo(13);
        assertThatThrownBy(() -> ctr.archiveGet(id, "/etc/hostname/x"))
                .isInstanceOfSatisfying(BerthException.class, e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.NOT_FOUND));
        // A read-only mount stays read-only through cp, as in the container.
        assertThatThrownBy(() -> ctr.archivePut(id, "/ro", tar(t -> file(t, "nope", "x", 0644)), true))
                .isInstanceOfSatisfying(BerthException.class, e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.INVALID_ARGUMENT))
                .hasMessageContaining("read-only");
        try (var files = Files.list(roDir)) {
            assertThat(files.toList()).isEmpty();
        }
        // The image's files are still the image's.
        assertThat(read(ctr.archiveGet(id, "/etc/passwd")).get("passwd")).startsWith("root:x:0:0");
    }

    /** Links in the bind source lead nowhere outside the container (running) or the source (stopped). */
    private void noEscape(String id) throws IOException {
        for (String p : List.of("/data/up/secret", "/data/to-root" + secretDir + "/secret", "/data/up/")) {
            assertThatThrownBy(() -> ctr.archiveGet(id, p)).as(p)
                    .isInstanceOfSatisfying(BerthException.class, e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.NOT_FOUND));
        }
        assertThatThrownBy(() -> ctr.archivePut(id, "/data/up", tar(t -> file(t, "pwned", "x", 0644)), true))
                .isInstanceOf(BerthException.class);
        ctr.archivePut(id, "/data", tar(t -> {
            symlink(t, "out", secretDir.toString());
            file(t, "ok", "fine", 0644);
        }), true);
        assertThatThrownBy(() -> ctr.archivePut(id, "/data/out", tar(t -> file(t, "pwned", "x", 0644)), true)).isInstanceOf(BerthException.class);
        try (var files = Files.list(secretDir)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("secret");
        }
        assertThat(Files.readString(hostDir.resolve("ok"))).isEqualTo("fine");
    }

    @Test
    void aRunningContainersMountsAreCopiedThroughItsOwnMountTable() throws IOException {
        String id = create(List.of("sleep", "1000"));
        ctr.start(id);
        bothWays(id);
        noEscape(id);
        linksInTheImageLeadIntoTheMount(id);
        // "to-root" is the container's root from inside the container: its passwd, not the host's.
        assertThat(read(ctr.archiveGet(id, "/data/to-root/etc/passwd")).get("passwd"))
                .isEqualTo(read(ctr.archiveGet(id, "/etc/passwd")).get("passwd"));
        // The whole tree: mounts included, /proc and /sys shown as mount points only.
        Map<String, String> all = read(ctr.archiveGet(id, "/"));
        assertThat(all).containsEntry("data/from-host", "written on the host").containsEntry("etc/hostname", "cp-test-host\n")
                .containsKeys("proc/", "sys/", "bin/sh");
        assertThat(all.keySet()).noneMatch(k -> k.startsWith("proc/") && !k.equals("proc/"))
                .noneMatch(k -> k.startsWith("sys/") && !k.equals("sys/"));
    }

    @Test
    void aCreatedContainersBindsAreUsedBeforeItsFirstStartAndAfterItsExit() throws IOException {
        String id = create(List.of("true"));
        bothWays(id);
        noEscape(id);
        // Stopped: links resolve inside the bind source, whose "/" is the source itself.
        assertThat(read(ctr.archiveGet(id, "/data/to-root/from-host"))).containsEntry("from-host", "written on the host");
        linksInTheImageLeadIntoTheMount(id);
        ctr.start(id);
        assertThat(ctr.wait(id, WaitCondition.NOT_RUNNING).statusCode()).isZero();
        Files.writeString(hostDir.resolve("later"), "after exit");
        assertThat(read(ctr.archiveGet(id, "/data/later"))).containsEntry("later", "after exit");
        ctr.archivePut(id, "/data", tar(t -> file(t, "after-exit", "x", 0644)), true);
        assertThat(hostDir.resolve("after-exit")).exists();
        // Nothing of it landed in the container's own /data directory.
        Path rootfsData = root.resolve("containers").resolve(id).resolve("rootfs").resolve("data");
        assertThat(Files.exists(rootfsData.resolve("after-exit")) || Files.exists(rootfsData.resolve("from-cp"))).isFalse();
    }

    /** Symlinks in the container's own tree that point into a mount reach the mount, as inside the container. */
    private void linksInTheImageLeadIntoTheMount(String id) throws IOException {
        ctr.archivePut(id, "/", tar(t -> {
            symlink(t, "abs-link", "/data");
            symlink(t, "rel-link", "tmp/../../../data");
        }), true);
        for (String l : List.of("/abs-link", "/rel-link")) {
            assertThat(read(ctr.archiveGet(id, l + "/from-host"))).as(l).containsEntry("from-host", "written on the host");
            assertThat(read(ctr.archiveGet(id, l + "/."))).as(l).containsKey("from-host");
            // without a trailing slash the link itself is what is copied
            assertThat(read(ctr.archiveGet(id, l))).as(l).hasSize(1).containsKey(l.substring(1));
        }
        ctr.archivePut(id, "/abs-link/", tar(t -> file(t, "via-link", "through the link", 0644)), true);
        assertThat(Files.readString(hostDir.resolve("via-link"))).isEqualTo("through the link");
        Files.delete(hostDir.resolve("via-link"));
    }
}
