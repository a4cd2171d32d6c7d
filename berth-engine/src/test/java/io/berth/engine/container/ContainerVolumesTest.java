package io.berth.engine.container;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.api.BerthException;
import io.berth.api.container.AttachOptions;
import io.berth.api.container.AttachSession;
import io.berth.api.container.ContainerEngine;
import io.berth.api.container.ContainerListOptions;
import io.berth.api.container.ContainerSpec;
import io.berth.api.container.ContainerSummary;
import io.berth.api.container.HostSpec;
import io.berth.api.container.MountPoint;
import io.berth.api.container.WaitCondition;
import io.berth.api.image.PullOptions;
import io.berth.api.volume.VolumeDetails;
import io.berth.api.volume.VolumeEngine;
import io.berth.engine.Engine;
import io.berth.engine.EngineConfig;
import io.berth.engine.NativeEngine;
import io.berth.engine.registry.TestRegistry;
import io.berth.engine.snapshot.Mounter;
import io.berth.spec.image.Descriptor;
import io.berth.spec.image.Digest;
import io.berth.spec.image.MediaTypes;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.berth.engine.container.ContainerServiceTest.within;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Volumes with real containers (runc under conmon): data shared through a named volume, Docker's
 * copy-up of image content (owners, modes, links; never through an image symlink to the host),
 * anonymous volumes for the image's VOLUME and -v /path removed by rm -v / --rm only, in-use
 * refusal, and everything still there after the engine is reopened.
 */
class ContainerVolumesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir static Path shared;
    static TestRegistry registry;
    static String image;

    Path root;
    Engine engine;
    ContainerEngine ctr;
    VolumeEngine vols;

    /** busybox plus /srv (uid 1000, 0750) holding seed (1000:1000 0640), sub/deep and link -> seed; VOLUME /srv; /evil -> /etc. */
    @BeforeAll
    static void pushImage() throws IOException {
        registry = TestRegistry.start(shared.resolve("registry"));
        byte[] base = ContainerServiceTest.busyboxLayer();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            entry(t, dir("srv/", 040750, 1000));
            TarArchiveEntry seed = new TarArchiveEntry("srv/seed");
            seed.setMode(0100640);
            seed.setIds(1000, 1000);
            byte[] body = "from the image\n".getBytes(StandardCharsets.UTF_8);
            seed.setSize(body.length);
            t.putArchiveEntry(seed);
            t.write(body);
            t.closeArchiveEntry();
            entry(t, dir("srv/sub/", 040700, 0));
            entry(t, dir("srv/sub/deep/", 040755, 0));
            TarArchiveEntry link = new TarArchiveEntry("srv/link", TarArchiveEntry.LF_SYMLINK);
            link.setLinkName("seed");
            entry(t, link);
            TarArchiveEntry evil = new TarArchiveEntry("evil", TarArchiveEntry.LF_SYMLINK);
            evil.setLinkName("/etc");
            entry(t, evil);
        }
        byte[] extra = out.toByteArray();
        String repo = "test/volumes";
        Descriptor l1 = registry.pushBlob(repo, ContainerServiceTest.gzip(base), MediaTypes.OCI_LAYER_GZIP);
        Descriptor l2 = registry.pushBlob(repo, ContainerServiceTest.gzip(extra), MediaTypes.OCI_LAYER_GZIP);
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("architecture", "amd64");
        cfg.put("os", "linux");
        cfg.put("config", Map.of("Cmd", List.of("sh"), "Env", List.of("PATH=/bin"), "Volumes", Map.of("/srv", Map.of())));
        cfg.put("rootfs", Map.of("type", "layers", "diff_ids", List.of(Digest.sha256(base).toString(), Digest.sha256(extra).toString())));
        Descriptor config = registry.pushBlob(repo, JSON.writeValueAsBytes(cfg), MediaTypes.OCI_CONFIG);
        registry.pushManifestFor(repo, "1", TestRegistry.Flavor.OCI, config, List.of(l1, l2));
        image = registry.host() + "/" + repo + ":1";
    }

    private static TarArchiveEntry dir(String name, int mode, int uid) {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setMode(mode);
        e.setIds(uid, uid);
        return e;
    }

    private static void entry(TarArchiveOutputStream t, TarArchiveEntry e) throws IOException {
        t.putArchiveEntry(e);
        t.closeArchiveEntry();
    }

    @AfterAll
    static void stopRegistry() { registry.close(); }

    @BeforeEach
    void open() {
        root = Path.of("/tmp", "bv-" + java.util.HexFormat.of().toHexDigits(java.util.concurrent.ThreadLocalRandom.current().nextInt()));
        openEngine();
        engine.images().pull(PullOptions.of(image), e -> { });
    }

    void openEngine() {
        engine = NativeEngine.open(EngineConfig.defaults(root));
        ctr = engine.containers();
        vols = engine.volumes();
    }

    @AfterEach
    void cleanUp() throws IOException {
        for (ContainerSummary s : ctr.list(ContainerListOptions.ALL)) ctr.remove(s.id(), true, true);
        engine.close();
        assertThat(Mounter.mountPointsUnder(root)).as("mounts left under the engine root").isEmpty();
        try (var w = Files.walk(root)) {
            for (Path p : w.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static HostSpec host(List<String> binds, List<HostSpec.MountSpec> mounts, boolean autoRemove) {
        return new HostSpec(binds, mounts, Map.of(), null, autoRemove, false, List.of(), List.of(), List.of(), false, null,
                List.of(), null, "no", 0, HostSpec.Resources.NONE, null, List.of(), Map.of(), null, null, null, null, null);
    }

    private static ContainerSpec spec(HostSpec h, String... cmd) {
        return ContainerSpec.of(image, List.of(cmd)).withHost(h);
    }

    /** Creates, starts and waits for the container; answers its output. */
    private String run(String id) throws Exception {
        try (AttachSession a = ctr.attach(id, AttachOptions.OUTPUT)) {
            ctr.start(id);
            String out = within(Duration.ofSeconds(15), () -> ContainerServiceTest.drain(a));
            assertThat(ctr.wait(id, WaitCondition.NOT_RUNNING).statusCode()).as("exit code, output: " + out).isZero();
            return out;
        }
    }

    private List<String> anonymousVolumes() {
        return vols.list(Map.of()).stream().filter(VolumeDetails::anonymous).map(VolumeDetails::name).toList();
    }

    @Test
    void aNamedVolumeCarriesDataFromOneContainerToTheNextAndOutlivesThem() throws Exception {
        String writer = ctr.create(spec(host(List.of("shared1:/data"), List.of(), false), "sh", "-c", "echo hello > /data/f")).id();
        assertThat(vols.inspect("shared1").anonymous()).as("created by -v NAME:/path").isFalse();
        run(writer);
        String reader = ctr.create(spec(host(List.of(), List.of(new HostSpec.MountSpec("volume", "shared1", "/in", true, null)), false),
                "sh", "-c", "cat /in/f; echo x > /in/g || echo read-only")).id();
        assertThat(run(reader)).startsWith("hello\n").contains("read-only");

        MountPoint m = ctr.inspect(reader).mounts().stream().filter(p -> p.destination().equals("/in")).findFirst().orElseThrow();
        assertThat(m).isEqualTo(new MountPoint("volume", "shared1", root.resolve("volumes/shared1/_data").toString(), "/in", "local", "z", false, ""));
        assertThat(ctr.list(ContainerListOptions.ALL).stream().filter(s -> s.id().equals(writer)).findFirst().orElseThrow().mounts())
                .extracting(MountPoint::name).contains("shared1");
        assertThat(ctr.list(new ContainerListOptions(true, -1, Map.of("volume", List.of("shared1"))))).extracting(ContainerSummary::id)
                .containsExactlyInAnyOrder(writer, reader);
        assertThat(ctr.list(new ContainerListOptions(true, -1, Map.of("volume", List.of("/in"))))).extracting(ContainerSummary::id)
                .containsExactly(reader);

        assertThatThrownBy(() -> vols.remove("shared1", true)).isInstanceOf(BerthException.class)
                .hasMessageContaining("volume is in use").hasMessageContaining(writer).hasMessageContaining(reader);
        ctr.remove(writer, false, true); // -v never removes a named volume
        ctr.remove(reader, false, false);
        assertThat(Files.readString(root.resolve("volumes/shared1/_data/f"))).isEqualTo("hello\n");
        vols.remove("shared1", false);
        assertThat(root.resolve("volumes/shared1")).doesNotExist();

        // Docker's volume events on the engine's bus: create, mount (per start), destroy
        List<String> seen = new java.util.ArrayList<>();
        try (io.berth.api.container.EventStream s = ctr.events(new io.berth.api.container.EventOptions(java.time.Instant.EPOCH,
                java.time.Instant.now(), Map.of("type", List.of("volume"))))) {
            for (io.berth.api.container.Event e; (e = s.next()) != null; ) seen.add(e.action() + " " + e.actorId());
        }
        assertThat(seen).containsSubsequence("create shared1", "mount shared1", "mount shared1", "destroy shared1");
    }

    @Test
    void theImagesContentIsCopiedIntoAnEmptyVolumeWithOwnersAndModes() throws Exception {
        // image VOLUME /srv: an anonymous volume, filled from the image
        String id = ctr.create(spec(host(List.of(), List.of(), false), "sh", "-c", "cat /srv/seed; echo more > /srv/new")).id();
        assertThat(run(id)).isEqualTo("from the image\n");
        MountPoint m = ctr.inspect(id).mounts().getFirst();
        assertThat(m.type()).isEqualTo("volume");
        assertThat(m.destination()).isEqualTo("/srv");
        assertThat(m.name()).matches("[0-9a-f]{64}");
        Path data = Path.of(m.source());
        assertThat(Files.getAttribute(data, "unix:uid")).isEqualTo(1000);
        assertThat((int) Files.getAttribute(data, "unix:mode") & 07777).isEqualTo(0750);
        Path seed = data.resolve("seed");
        assertThat(Files.getAttribute(seed, "unix:uid")).isEqualTo(1000);
        assertThat(Files.getAttribute(seed, "unix:gid")).isEqualTo(1000);
        assertThat((int) Files.getAttribute(seed, "unix:mode") & 07777).isEqualTo(0640);
        assertThat((int) Files.getAttribute(data.resolve("sub"), "unix:mode") & 07777).isEqualTo(0700);
        assertThat(data.resolve("sub/deep")).isDirectory();
        assertThat(Files.readSymbolicLink(data.resolve("link"))).isEqualTo(Path.of("seed"));
        assertThat(data.resolve("new")).hasContent("more");

        // a second start does not copy again (the container's own changes stay)
        Files.delete(seed);
        run(ctr.create(spec(host(List.of(), List.of(), false), "true")).id()); // another container: its own anonymous volume
        ctr.start(id);
        ctr.wait(id, WaitCondition.NOT_RUNNING);
        assertThat(seed).doesNotExist();

        // a named volume over an image path is filled too; with nocopy it stays empty; a non-empty one is never overwritten
        run(ctr.create(spec(host(List.of("filled:/srv"), List.of(), false), "true")).id());
        assertThat(root.resolve("volumes/filled/_data/seed")).hasContent("from the image");
        run(ctr.create(spec(host(List.of("bare:/srv:nocopy"), List.of(), false), "true")).id());
        try (var s = Files.list(root.resolve("volumes/bare/_data"))) { assertThat(s).isEmpty(); }
        run(ctr.create(spec(host(List.of(), List.of(new HostSpec.MountSpec("volume", "bare2", "/srv", false, null, true)), false), "true")).id());
        try (var s = Files.list(root.resolve("volumes/bare2/_data"))) { assertThat(s).as("--mount volume-nocopy").isEmpty(); }
        Files.writeString(root.resolve("volumes/bare/_data/mine"), "mine");
        run(ctr.create(spec(host(List.of("bare:/srv"), List.of(), false), "true")).id());
        try (var s = Files.list(root.resolve("volumes/bare/_data"))) { assertThat(s).extracting(p -> p.getFileName().toString()).containsExactly("mine"); }
    }

    @Test
    void copyUpResolvesImageSymlinksInsideTheRootNeverOnTheHost() throws Exception {
        // /evil -> /etc in the image: the copy must take the image's /etc (passwd, group), not the host's
        String id = ctr.create(spec(host(List.of("evil1:/evil"), List.of(), false), "true")).id();
        run(id);
        try (var s = Files.list(root.resolve("volumes/evil1/_data"))) {
            // the image's two files, plus the mount targets runc creates for the container's
            // /etc/hosts, /etc/resolv.conf and /etc/hostname (the volume is mounted at /etc): nothing of the host's /etc
            assertThat(s).extracting(p -> p.getFileName().toString()).contains("passwd", "group")
                    .isSubsetOf("passwd", "group", "hosts", "resolv.conf", "hostname");
        }
    }

    @Test
    void anonymousVolumesGoWithRmDashVAndAutoRemoveButStayWithPlainRm() throws Exception {
        String kept = ctr.create(spec(host(List.of(), List.of(), false), "true").withVolumes(List.of("/extra"))).id();
        assertThat(ctr.inspect(kept).mounts()).extracting(MountPoint::destination).containsExactlyInAnyOrder("/srv", "/extra");
        List<String> keptVols = anonymousVolumes();
        assertThat(keptVols).hasSize(2);
        ctr.remove(kept, false, false);
        assertThat(anonymousVolumes()).containsExactlyInAnyOrderElementsOf(keptVols);
        assertThat(vols.list(Map.of("dangling", List.of("true")))).hasSize(2);

        String gone = ctr.create(spec(host(List.of("named2:/n"), List.of(), false), "true").withVolumes(List.of("/extra"))).id();
        run(gone);
        ctr.remove(gone, false, true);
        assertThat(anonymousVolumes()).containsExactlyInAnyOrderElementsOf(keptVols);
        assertThat(vols.inspect("named2").name()).isEqualTo("named2");

        String auto = ctr.create(spec(host(List.of(), List.of(), true), "true")).id();
        ctr.start(auto);
        ctr.wait(auto, WaitCondition.REMOVED);
        assertThat(anonymousVolumes()).containsExactlyInAnyOrderElementsOf(keptVols);

        assertThat(vols.prune(Map.of()).volumesDeleted()).containsExactlyInAnyOrderElementsOf(keptVols);
        assertThat(vols.list(Map.of())).extracting(VolumeDetails::name).containsExactly("named2");
    }

    @Test
    void volumesAndTheirUsersSurviveAnEngineRestart() throws Exception {
        String id = ctr.create(spec(host(List.of("durable:/data"), List.of(), false), "sh", "-c", "echo kept > /data/f")).id();
        run(id);
        engine.close();
        openEngine();
        assertThat(vols.inspect("durable").mountpoint()).isEqualTo(root.resolve("volumes/durable/_data").toString());
        assertThatThrownBy(() -> vols.remove("durable", false)).hasMessageContaining("volume is in use - [" + id + "]");
        assertThat(ctr.inspect(id).mounts()).extracting(MountPoint::destination).containsExactlyInAnyOrder("/data", "/srv"); // /srv: the image VOLUME
        String again = ctr.create(spec(host(List.of("durable:/data"), List.of(), false), "cat", "/data/f")).id();
        assertThat(run(again)).isEqualTo("kept\n");
        assertThat(Files.isDirectory(root.resolve("volumes/durable/_data"), LinkOption.NOFOLLOW_LINKS)).isTrue();
    }
}
