package io.berth.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.it.fixture.Berthd;
import io.berth.it.fixture.BerthCli;
import io.berth.it.fixture.CommandResult;
import io.berth.it.fixture.Compression;
import io.berth.it.fixture.Digests;
import io.berth.it.fixture.DockerCli;
import io.berth.it.fixture.Format;
import io.berth.it.fixture.Image;
import io.berth.it.fixture.ImageBuilder;
import io.berth.it.fixture.LayerBuilder;
import io.berth.it.fixture.ImageIndex;
import io.berth.it.fixture.Layer;
import io.berth.it.fixture.LogOnFailure;
import io.berth.it.fixture.Pusher;
import io.berth.it.fixture.TempDirs;
import io.berth.it.fixture.TestImages;
import io.berth.it.fixture.TestRegistry;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pulls images built in code from a real registry through the real berthd, driven by the real docker
 * CLI, and checks what docker prints and what ends up in the image's root filesystem.
 */
class PullIT {
    @RegisterExtension
    static final LogOnFailure LOGS = new LogOnFailure();

    static final int MANY = 130;

    static TestRegistry registry;
    static Berthd daemon;
    static DockerCli docker;
    static BerthCli berth;
    static Path work;

    static final Map<Format, Image> GZIP = new HashMap<>();
    static Image ociZstd;
    static Image ociNone;
    static Image dockerNone;
    static final Map<Format, ImageIndex> MULTI = new HashMap<>();
    static Image filesystem;
    static Image many;
    static Image empty;
    static Image life;

    @BeforeAll
    static void up() {
        registry = TestRegistry.open();
        LOGS.watch("registry", registry::logText);
        Pusher push = new Pusher(registry);
        for (Format f : Format.values()) {
            GZIP.put(f, TestImages.hello(f, Compression.GZIP));
            push.push("it/" + f.name().toLowerCase() + "-gzip", "1", GZIP.get(f));
            MULTI.put(f, TestImages.multiArch(f));
            push.push("it/multi-" + f.name().toLowerCase(), "1", MULTI.get(f));
        }
        ociZstd = TestImages.hello(Format.OCI, Compression.ZSTD);
        push.push("it/oci-zstd", "1", ociZstd);
        ociNone = TestImages.hello(Format.OCI, Compression.NONE);
        push.push("it/oci-none", "1", ociNone);
        dockerNone = TestImages.hello(Format.DOCKER, Compression.NONE);
        push.push("it/docker-none", "1", dockerNone);
        filesystem = TestImages.filesystem(Format.OCI);
        push.push("it/fs", "1", filesystem);
        many = TestImages.manyLayers(MANY);
        push.push("it/many", "1", many);
        empty = TestImages.withEmptyLayer();
        push.push("it/empty", "1", empty);
        life = new ImageBuilder().format(Format.DOCKER)
                .layer(new LayerBuilder().file("/life.txt", "life\n").build(Compression.GZIP),
                        "ADD life.txt /")
                .emptyLayer("CMD [\"cat\",\"/life.txt\"]")
                .cmd("cat", "/life.txt").build();
        push.push("it/life", "1", life);

        work = TempDirs.create("berth-pullit-");
        daemon = Berthd.start();
        LOGS.watch("berthd", daemon::logText);
        docker = daemon.docker();
        berth = daemon.berth();
    }

    @AfterAll
    static void down() {
        if (daemon != null) {
            daemon.close();
        }
        if (registry != null) {
            registry.close();
        }
        TempDirs.deleteTree(work);
    }

    private static String ref(String repo) {
        return registry.hostPort() + "/" + repo + ":1";
    }

    /**
     * Pulls and checks docker's output (per-layer completion, digest, status line, the reference last),
     * then the image as docker inspects it.
     */
    private static JsonNode pullAndCheck(String repo, Image image, String expectedDigest) {
        String ref = ref(repo);
        CommandResult r = docker.ok("pull", ref);
        assertThat(r.stdout()).contains("1: Pulling from " + repo);
        for (Layer l : image.layers()) {
            String id = Digests.shortId(l.digest());
            assertThat(r.stdout()).as("layer %s reported", id)
                    .containsAnyOf(id + ": Pull complete", id + ": Already exists");
        }
        assertThat(r.lines()).contains("Digest: " + expectedDigest, "Status: Downloaded newer image for " + ref);
        assertThat(r.lines().getLast()).isEqualTo(ref);

        JsonNode img = docker.inspectImage(ref);
        assertImage(img, image);
        assertThat(strings(img.get("RepoTags"))).contains(ref);
        assertThat(strings(img.get("RepoDigests"))).contains(registry.hostPort() + "/" + repo + "@" + expectedDigest);

        CommandResult again = docker.ok("pull", ref);
        assertThat(again.lines()).contains("Status: Image is up to date for " + ref);
        return img;
    }

    private static void assertImage(JsonNode img, Image image) {
        assertThat(img.get("Id").asText()).isEqualTo(image.id());
        assertThat(img.get("Architecture").asText()).isEqualTo(image.platform().architecture());
        assertThat(img.get("Os").asText()).isEqualTo("linux");
        assertThat(strings(img.at("/RootFS/Layers"))).containsExactlyElementsOf(image.diffIds());
        assertThat(img.at("/RootFS/Type").asText()).isEqualTo("layers");
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null) {
            array.forEach(n -> out.add(n.asText()));
        }
        return out;
    }

    @Test
    void pullsOciGzipImageWithItsConfig() {
        Image image = GZIP.get(Format.OCI);
        JsonNode img = pullAndCheck("it/oci-gzip", image, image.manifestDigest());
        assertThat(strings(img.at("/Config/Env"))).containsExactly("PATH=/bin", "GREETING=hello");
        assertThat(strings(img.at("/Config/Cmd"))).containsExactly("cat", "/hello.txt");
        assertThat(img.at("/Config/WorkingDir").asText()).isEqualTo("/tmp");
        assertThat(img.at("/Config/Labels/io.berth.test").asText()).isEqualTo("hello");
        assertThat(img.get("Created").asText()).startsWith("2024-01-02T03:04:05");
        // Size is the unpacked content: at least the busybox binary.
        assertThat(img.get("Size").asLong()).isGreaterThan(500_000);
    }

    @Test
    void pullsDockerMediaTypes() {
        Image image = GZIP.get(Format.DOCKER);
        JsonNode img = pullAndCheck("it/docker-gzip", image, image.manifestDigest());
        assertThat(img.at("/Config/Labels/io.berth.format").asText()).isEqualTo("DOCKER");
    }

    @Test
    void pullsZstdLayers() {
        pullAndCheck("it/oci-zstd", ociZstd, ociZstd.manifestDigest());
    }

    @Test
    void pullsUncompressedLayers() {
        pullAndCheck("it/oci-none", ociNone, ociNone.manifestDigest());
        pullAndCheck("it/docker-none", dockerNone, dockerNone.manifestDigest());
    }

    @Test
    void pullsThePlatformAskedForFromAnOciIndex() {
        checkMultiArch(Format.OCI);
    }

    @Test
    void pullsThePlatformAskedForFromADockerManifestList() {
        checkMultiArch(Format.DOCKER);
    }

    private void checkMultiArch(Format f) {
        String repo = "it/multi-" + f.name().toLowerCase();
        String ref = ref(repo);
        ImageIndex idx = MULTI.get(f);
        // Default platform: linux/amd64, this host's.
        pullAndCheck(repo, idx.image("amd64"), idx.digest());
        assertThat(docker.ok("image", "inspect", "-f", "{{.Architecture}}", ref).out()).isEqualTo("amd64");

        CommandResult arm = docker.ok("pull", "--platform", "linux/arm64", ref);
        assertThat(arm.lines()).contains("Digest: " + idx.digest());
        assertThat(docker.ok("image", "inspect", "-f", "{{.Architecture}}", ref).out()).isEqualTo("arm64");
        assertThat(docker.ok("image", "inspect", "-f", "{{.Id}}", ref).out()).isEqualTo(idx.image("arm64").id());

        docker.ok("pull", "--platform", "linux/arm/v7", ref);
        JsonNode v7 = docker.inspectImage(ref);
        assertThat(v7.get("Architecture").asText()).isEqualTo("arm");
        assertThat(v7.get("Variant").asText()).isEqualTo("v7");
        assertThat(v7.get("Id").asText()).isEqualTo(idx.image("arm").id());

        CommandResult none = docker.run("pull", "--platform", "linux/s390x", ref);
        assertThat(none.exitCode()).isNotZero();
        assertThat(none.stderr()).containsIgnoringCase("s390x");
        // The failed pull left the tag where it was.
        assertThat(docker.ok("image", "inspect", "-f", "{{.Id}}", ref).out()).isEqualTo(idx.image("arm").id());
    }

    @Test
    void layerSemanticsShowInTheMountedRootfs() {
        String ref = ref("it/fs");
        pullAndCheck("it/fs", filesystem, filesystem.manifestDigest());
        Path mnt = mount(ref);
        try {
            TestImages.assertFilesystemRootfs(mnt);
            assertThat(canWriteFile(mnt)).as("image mount is read-only").isFalse();
        } finally {
            unmount(ref, mnt);
        }
    }

    @Test
    void pullsAnImageWithMoreThanAHundredLayers() throws IOException {
        String ref = ref("it/many");
        pullAndCheck("it/many", many, many.manifestDigest());
        assertThat(docker.ok("image", "inspect", "-f", "{{len .RootFS.Layers}}", ref).out()).isEqualTo("" + MANY);
        Path mnt = mount(ref);
        try {
            try (Stream<Path> files = Files.list(mnt.resolve("layers"))) {
                assertThat(files.map(p -> p.getFileName().toString()).filter(n -> !n.equals("top")).sorted())
                        .containsExactlyElementsOf(TestImages.manyLayersFiles(MANY));
            }
            assertThat(mnt.resolve("layers/top")).hasContent(String.valueOf(MANY - 1));
            assertThat(mnt.resolve("layers/000")).hasContent("layer 0");
        } finally {
            unmount(ref, mnt);
        }
    }

    @Test
    void pullsAnImageWithAnEmptyLayerAndShowsItsHistory() {
        String ref = ref("it/empty");
        JsonNode img = pullAndCheck("it/empty", empty, empty.manifestDigest());
        assertThat(strings(img.at("/RootFS/Layers")))
                .contains("sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef");

        CommandResult h = docker.ok("history", "--no-trunc", "--format", "{{.ID}}|{{.CreatedBy}}|{{.Size}}", ref);
        List<String> lines = h.lines();
        List<String> expected = new ArrayList<>(empty.history());
        java.util.Collections.reverse(expected);
        assertThat(lines).hasSize(expected.size());
        for (int i = 0; i < lines.size(); i++) {
            String[] cols = lines.get(i).split("\\|", -1);
            assertThat(cols[1]).isEqualTo(expected.get(i));
            assertThat(cols[0]).isEqualTo(i == 0 ? empty.id() : "<missing>");
        }
        // newest first: ADD last.txt, ENV (empty), RUN true (empty tar), LABEL (empty), ADD first.txt
        assertThat(lines.get(1)).endsWith("|0B");
        assertThat(lines.get(3)).endsWith("|0B");
    }

    @Test
    void imageCommandsOfTheDockerCli() throws IOException {
        String repo = registry.hostPort() + "/it/life";
        String ref = repo + ":1";
        pullAndCheck("it/life", life, life.manifestDigest());
        String shortId = Digests.shortId(life.id());

        // docker images: table, format and -q
        CommandResult table = docker.ok("images");
        assertThat(table.lines().getFirst()).contains("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
        assertThat(table.lines()).anySatisfy(l -> assertThat(l.split("\\s+")).startsWith(repo, "1", shortId));
        assertThat(docker.ok("images", "-q").lines()).contains(shortId);
        assertThat(docker.ok("images", "--format", "{{.Repository}}|{{.Tag}}|{{.ID}}", repo).lines())
                .containsExactly(repo + "|1|" + shortId);
        assertThat(docker.ok("images", "--filter", "reference=" + repo + ":*", "--format", "{{.Tag}}").lines())
                .containsExactly("1");

        // tag: same ID under two names, one of them not in a registry
        docker.ok("tag", ref, repo + ":renamed");
        docker.ok("tag", ref, "berth-it/local:x");
        assertThat(docker.ok("image", "inspect", "-f", "{{.Id}}", "berth-it/local:x").out()).isEqualTo(life.id());
        assertThat(docker.ok("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}").lines())
                .contains(ref + " " + shortId, repo + ":renamed " + shortId, "berth-it/local:x " + shortId);
        assertThat(strings(docker.inspectImage(ref).get("RepoTags")))
                .containsExactlyInAnyOrder(ref, repo + ":renamed", "berth-it/local:x");

        // rmi of one of several tags only untags
        CommandResult untag = docker.ok("rmi", "berth-it/local:x");
        assertThat(untag.lines()).containsExactly("Untagged: berth-it/local:x");
        assertThat(docker.run("image", "inspect", "berth-it/local:x").stderr()).contains("No such image");
        docker.ok("rmi", repo + ":renamed");

        // history
        CommandResult hist = docker.ok("history", "--no-trunc", "--format", "{{.CreatedBy}}", ref);
        assertThat(hist.lines()).containsExactly("CMD [\"cat\",\"/life.txt\"]", "ADD life.txt /");

        // save: a docker-archive whose manifest names the tag, the config and one tar per diff_id
        Path archive = work.resolve("life.tar");
        docker.ok("save", "-o", archive.toString(), ref);
        Map<String, byte[]> files = readTar(archive);
        JsonNode manifest = new ObjectMapper().readTree(files.get("manifest.json"));
        assertThat(manifest).hasSize(1);
        assertThat(strings(manifest.get(0).get("RepoTags"))).containsExactly(ref);
        assertThat(Digests.sha256(files.get(manifest.get(0).get("Config").asText()))).isEqualTo(life.id());
        List<String> layerDigests = new ArrayList<>();
        manifest.get(0).get("Layers").forEach(l -> layerDigests.add(Digests.sha256(files.get(l.asText()))));
        assertThat(layerDigests).containsExactlyElementsOf(life.diffIds());

        // rmi of the last tag deletes the image
        CommandResult rmi = docker.ok("rmi", ref);
        assertThat(rmi.lines()).contains("Untagged: " + ref, "Deleted: " + life.id());
        CommandResult gone = docker.run("image", "inspect", ref);
        assertThat(gone.exitCode()).isNotZero();
        assertThat(gone.stderr()).contains("No such image");
        assertThat(docker.ok("images", "-q").lines()).doesNotContain(shortId);

        // load brings it back under its tag, same ID
        CommandResult load = docker.ok("load", "-i", archive.toString());
        assertThat(load.lines()).contains("Loaded image: " + ref);
        JsonNode loaded = docker.inspectImage(ref);
        assertThat(loaded.get("Id").asText()).isEqualTo(life.id());
        assertThat(strings(loaded.at("/RootFS/Layers"))).containsExactlyElementsOf(life.diffIds());
        assertThat(docker.ok("images", "--format", "{{.Repository}}:{{.Tag}}", repo).lines()).containsExactly(ref);
    }

    @Test
    void pullOfAMissingTagFailsClearly() {
        String ref = registry.hostPort() + "/it/life:does-not-exist";
        CommandResult r = docker.run("pull", ref);
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.stderr()).containsAnyOf("manifest unknown", "not found");
        CommandResult repo = docker.run("pull", registry.hostPort() + "/it/no-such-repo:1");
        assertThat(repo.exitCode()).isNotZero();
        assertThat(repo.stderr()).containsAnyOf("manifest unknown", "not found", "name unknown");
        assertThat(docker.run("rmi", "berth-it/never:1").stderr()).contains("No such image");
    }

    private static Path mount(String ref) {
        CommandResult r = berth.ok("image", "mount", ref);
        Path mnt = Path.of(r.lines().getLast());
        assertThat(mnt).as("berth image mount prints an absolute directory").isAbsolute().isDirectory();
        return mnt;
    }

    private static void unmount(String ref, Path mnt) {
        berth.ok("image", "unmount", ref);
        assertThat(TempDirs.mountsUnder(mnt)).as("unmounted").isEmpty();
    }

    private static boolean canWriteFile(Path mnt) {
        try {
            Files.writeString(mnt.resolve("write-probe"), "x");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Map<String, byte[]> readTar(Path archive) throws IOException {
        Map<String, byte[]> files = new HashMap<>();
        try (InputStream in = Files.newInputStream(archive); TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (e.isFile()) {
                    files.put(e.getName(), tar.readAllBytes());
                } else if (e.isSymbolicLink()) {
                    // OCI-style archives (docker 25+) link the legacy names to blobs/sha256/...
                    files.put(e.getName(), null);
                    files.put("link:" + e.getName(), e.getLinkName().getBytes());
                }
            }
        }
        // Resolve symlinks relative to their directory.
        Map<String, byte[]> resolved = new HashMap<>(files);
        files.forEach((name, bytes) -> {
            if (name.startsWith("link:")) {
                String path = name.substring(5);
                Path target = Path.of(path).resolveSibling(new String(bytes)).normalize();
                resolved.put(path, files.get(target.toString()));
            }
        });
        return resolved;
    }
}
