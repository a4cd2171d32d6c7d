package io.berth.engine.container;

import io.berth.api.BerthException;
import io.berth.api.container.ArchiveRead;
import io.berth.api.container.ContainerEngine;
import io.berth.api.container.ContainerListOptions;
import io.berth.api.container.ContainerSpec;
import io.berth.api.container.ContainerSummary;
import io.berth.api.container.PathStat;
import io.berth.api.image.PullOptions;
import io.berth.engine.Engine;
import io.berth.engine.EngineConfig;
import io.berth.engine.NativeEngine;
import io.berth.engine.registry.TestRegistry;
import io.berth.engine.snapshot.Mounter;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** docker cp against real busybox containers: both directions, running and stopped, and symlinks that try to leave the root. */
class ContainerCopyTest {
    @TempDir static Path shared;
    static TestRegistry registry;
    static String image;

    Path root;
    Engine engine;
    ContainerEngine ctr;
    /** A directory on the host that no copy may read or write. */
    Path host;

    @BeforeAll
    static void pushBusybox() throws IOException {
        registry = TestRegistry.start(shared.resolve("registry"));
        image = ContainerServiceTest.pushBusyboxImage(registry);
    }

    @AfterAll
    static void stopRegistry() { registry.close(); }

    @BeforeEach
    void open() throws IOException {
        root = Path.of("/tmp", "bcp-" + java.util.HexFormat.of().toHexDigits(java.util.concurrent.ThreadLocalRandom.current().nextInt()));
        engine = NativeEngine.open(EngineConfig.defaults(root));
        ctr = engine.containers();
        engine.images().pull(PullOptions.of(image), e -> { });
        host = Files.createDirectories(root.resolve("host-secret"));
        Files.writeString(host.resolve("secret"), "host only");
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

    private String running() {
        String id = ctr.create(ContainerSpec.of(image, List.of("sleep", "1000"))).id();
        ctr.start(id);
        return id;
    }

    @Test
    void copiesFilesAndDirectoriesIntoAndOutOfARunningContainer() throws IOException {
        String id = running();
        ctr.archivePut(id, "/tmp/", tar(t -> {
            file(t, "hello.txt", "hi there", 0640);
            dir(t, "d");
            file(t, "d/inner", "deep", 0600);
            file(t, "d/.wh.kept", "not a whiteout", 0644);
        }), true);

        PathStat st = ctr.archiveStat(id, "/tmp/hello.txt");
        assertThat(st.name()).isEqualTo("hello.txt");
        assertThat(st.size()).isEqualTo(8);
        assertThat(st.mode()).isEqualTo(0640);
        PathStat d = ctr.archiveStat(id, "/tmp/d");
        assertThat(d.isDirectory()).isTrue();
        assertThat(d.mode() & ~0777L).isEqualTo(PathStat.DIR);

        Map<String, String> one = read(ctr.archiveGet(id, "/tmp/hello.txt"));
        assertThat(one).containsExactly(Map.entry("hello.txt", "hi there"));
        Map<String, String> tree = read(ctr.archiveGet(id, "/tmp/d"));
        assertThat(tree).containsOnlyKeys("d/", "d/inner", "d/.wh.kept");
        assertThat(tree.get("d/inner")).isEqualTo("deep");
        assertThat(read(ctr.archiveGet(id, "/tmp/d/."))).containsOnlyKeys("inner", ".wh.kept");
        // The container sees what was copied in.
        assertThat(read(ctr.archiveGet(id, "/etc/passwd")).get("passwd")).startsWith("root:x:0:0");
    }

    @Test
    void missingPathsAndNonDirectoryDestinationsAreRefused() {
        String id = running();
        assertThatThrownBy(() -> ctr.archiveStat(id, "/nonexistent"))
                .isInstanceOfSatisfying(BerthException.class, e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.NOT_FOUND))
                .hasMessage("Could not find the file /nonexistent in container " + id);
        assertThatThrownBy(() -> ctr.archiveGet(id, "/nope/x")).hasMessageContaining("Could not find the file /nope/x");
        assertThatThrownBy(() -> ctr.archivePut(id, "/nope", tar(t -> file(t, "a", "a", 0644)), true))
                .isInstanceOfSatisfying(BerthException.class, e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.NOT_FOUND));
        assertThatThrownBy(() -> ctr.archivePut(id, "/etc/passwd", tar(t -> file(t, "a", "a", 0644)), true))
                .isInstanceOfSatisfying(BerthException.class, e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.INVALID_ARGUMENT));
    }

    @Test
    void worksOnAStoppedContainerAndLeavesNothingMounted() throws IOException {
        String id = ctr.create(ContainerSpec.of(image, List.of("true"))).id();
        Path rootfs = root.resolve("containers").resolve(id).resolve("rootfs");
        ctr.archivePut(id, "/", tar(t -> file(t, "created.txt", "while stopped", 0644)), false);
        assertThat(Files.exists(rootfs) && Mounter.isMountPoint(rootfs)).isFalse();
        assertThat(read(ctr.archiveGet(id, "/created.txt"))).containsEntry("created.txt", "while stopped");
        assertThat(ctr.archiveStat(id, "/").name()).isEqualTo("/");
        assertThat(Files.exists(rootfs) && Mounter.isMountPoint(rootfs)).isFalse();
        // And what was copied is in the container once it runs.
        ctr.start(id);
        assertThat(read(ctr.archiveGet(id, "/created.txt"))).containsEntry("created.txt", "while stopped");
    }

    @Test
    void symlinksInTheContainerCannotReachTheHost() throws IOException {
        String id = running();
        String hostDir = host.toAbsolutePath().toString();
        ctr.archivePut(id, "/", tar(t -> {
            symlink(t, "evil", "/");
            symlink(t, "up", "../../../../../../..");
            symlink(t, "abs", hostDir);
        }), true);

        // Reading through the links: each resolves inside the container, where the host path does not exist.
        for (String p : List.of("/evil" + hostDir + "/secret", "/up" + hostDir + "/secret", "/abs/secret", "/abs/", "/up/" + hostDir.substring(1) + "/.")) {
            assertThatThrownBy(() -> ctr.archiveGet(id, p)).as(p)
                    .isInstanceOfSatisfying(BerthException.class, e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.NOT_FOUND));
        }
        // The link itself is archived as a link, not followed.
        Map<String, String> link = read(ctr.archiveGet(id, "/abs"));
        assertThat(link).containsExactly(Map.entry("abs", "-> " + hostDir));
        PathStat st = ctr.archiveStat(id, "/evil");
        assertThat(st.mode() & PathStat.SYMLINK).isNotZero();
        assertThat(st.linkTarget()).isEqualTo("/");
        // "/up/." is the container's root, not the host's.
        assertThat(read(ctr.archiveGet(id, "/up/."))).containsKey("etc/passwd").doesNotContainKey("host-secret/");

        // Writing through the links: into the container or refused, never onto the host.
        assertThatThrownBy(() -> ctr.archivePut(id, "/abs", tar(t -> file(t, "pwned", "x", 0644)), true))
                .isInstanceOf(BerthException.class);
        assertThatThrownBy(() -> ctr.archivePut(id, "/up" + hostDir, tar(t -> file(t, "pwned", "x", 0644)), true))
                .isInstanceOf(BerthException.class);
        ctr.archivePut(id, "/evil/tmp", tar(t -> file(t, "via-evil", "x", 0644)), true);
        assertThat(read(ctr.archiveGet(id, "/tmp/via-evil"))).containsKey("via-evil");
        // A tar that plants a link and then writes through it stays inside too: a link to the host
        // directory resolves to that path in the container, missing there, so the entry is refused...
        assertThatThrownBy(() -> ctr.archivePut(id, "/tmp", tar(t -> {
            symlink(t, "out", hostDir);
            file(t, "out/pwned", "x", 0644);
        }), true)).isInstanceOfSatisfying(BerthException.class, e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.INVALID_ARGUMENT));
        // ...and a link to "/" or far up leads no further than the extraction directory (the
        // applier's root), here the container's /tmp.
        ctr.archivePut(id, "/tmp", tar(t -> {
            symlink(t, "top", "/");
            file(t, "top/tmp/through-top", "x", 0644);
            symlink(t, "rel", "../../../../../../../..");
            file(t, "rel/tmp/through-rel", "x", 0644);
        }), true);
        assertThat(read(ctr.archiveGet(id, "/tmp/tmp/through-top"))).containsKey("through-top");
        assertThat(read(ctr.archiveGet(id, "/tmp/tmp/through-rel"))).containsKey("through-rel");
        assertThat(Files.exists(Path.of("/tmp/through-top")) || Files.exists(Path.of("/tmp/through-rel"))).isFalse();
        try (var files = Files.list(host)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("secret");
        }
        assertThat(Files.readString(host.resolve("secret"))).isEqualTo("host only");
        assertThat(Files.exists(Path.of("/tmp/via-evil"))).isFalse();
    }

    // ---- helpers --------------------------------------------------------------------------------------

    interface TarBody { void write(TarArchiveOutputStream t) throws IOException; }

    static ByteArrayInputStream tar(TarBody body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            body.write(t);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new ByteArrayInputStream(out.toByteArray());
    }

    static void file(TarArchiveOutputStream t, String name, String body, int mode) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setMode(0100000 | mode);
        e.setSize(b.length);
        t.putArchiveEntry(e);
        t.write(b);
        t.closeArchiveEntry();
    }

    static void dir(TarArchiveOutputStream t, String name) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name + "/");
        e.setMode(040755);
        t.putArchiveEntry(e);
        t.closeArchiveEntry();
    }

    static void symlink(TarArchiveOutputStream t, String name, String target) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
        e.setLinkName(target);
        t.putArchiveEntry(e);
        t.closeArchiveEntry();
    }

    /** Entry name to content ("-> target" for links, "" for directories). */
    static Map<String, String> read(ArchiveRead r) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (r; TarArchiveInputStream in = new TarArchiveInputStream(r.tar())) {
            for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                if (e.isSymbolicLink()) out.put(e.getName(), "-> " + e.getLinkName());
                else out.put(e.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
