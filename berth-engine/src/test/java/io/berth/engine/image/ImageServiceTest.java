package io.berth.engine.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.api.BerthException;
import io.berth.api.image.ImageDetails;
import io.berth.api.image.ImageListOptions;
import io.berth.api.image.ImageSummary;
import io.berth.api.image.LoadReport;
import io.berth.api.image.PruneOptions;
import io.berth.api.image.PullEvent;
import io.berth.api.image.PullOptions;
import io.berth.api.image.PullReport;
import io.berth.api.image.RemoveItem;
import io.berth.api.image.RemoveOptions;
import io.berth.engine.Engine;
import io.berth.engine.EngineConfig;
import io.berth.engine.NativeEngine;
import io.berth.engine.registry.TestRegistry;
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

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The image service end to end on a real registry, real snapshots and real mounts. */
class ImageServiceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir static Path shared;
    static TestRegistry registry;

    @TempDir Path root;
    Engine engine;

    @BeforeAll
    static void startRegistry() throws IOException {
        registry = TestRegistry.start(shared.resolve("registry"));
    }

    @AfterAll
    static void stopRegistry() { registry.close(); }

    @BeforeEach
    void open() { engine = NativeEngine.open(EngineConfig.defaults(root.resolve("state"))); }

    @AfterEach
    void close() { engine.close(); }

    record Entry(String name, String body, String link, boolean dir) {
        static Entry file(String n, String b) { return new Entry(n, b, null, false); }
        static Entry dir(String n) { return new Entry(n, null, null, true); }
        static Entry symlink(String n, String target) { return new Entry(n, null, target, false); }
    }

    static byte[] tar(Entry... entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Entry e : entries) {
                TarArchiveEntry te;
                if (e.dir) { te = new TarArchiveEntry(e.name + "/"); te.setMode(040755); }
                else if (e.link != null) { te = new TarArchiveEntry(e.name, TarArchiveEntry.LF_SYMLINK); te.setLinkName(e.link); }
                else { te = new TarArchiveEntry(e.name); te.setMode(0100644); te.setSize(e.body.getBytes(StandardCharsets.UTF_8).length); }
                t.putArchiveEntry(te);
                if (e.body != null) t.write(e.body.getBytes(StandardCharsets.UTF_8));
                t.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }

    static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) { g.write(b); }
        return out.toByteArray();
    }

    /** Pushes gzip layers with a config whose diff_ids are right unless overridden. */
    static TestRegistry.Pushed push(String repo, String tag, List<byte[]> tars, List<String> diffOverride, Map<String, String> labels) throws IOException {
        List<Descriptor> layers = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        for (byte[] t : tars) {
            layers.add(registry.pushBlob(repo, gzip(t), MediaTypes.OCI_LAYER_GZIP));
            diffIds.add(Digest.sha256(t).toString());
        }
        if (diffOverride != null) diffIds = diffOverride;
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("created", "2026-01-02T03:04:05Z");
        cfg.put("architecture", "amd64");
        cfg.put("os", "linux");
        cfg.put("config", Map.of("Cmd", List.of("/bin/sh"), "Labels", labels));
        cfg.put("rootfs", Map.of("type", "layers", "diff_ids", diffIds));
        cfg.put("history", List.of(Map.of("created_by", "layer one"), Map.of("created_by", "ENV x=y", "empty_layer", true), Map.of("created_by", "layer two")));
        Descriptor config = registry.pushBlob(repo, JSON.writeValueAsBytes(cfg), MediaTypes.OCI_CONFIG);
        return registry.pushManifestFor(repo, tag, TestRegistry.Flavor.OCI, config, layers);
    }

    static List<byte[]> twoLayers() throws IOException {
        return List.of(
                tar(Entry.dir("etc"), Entry.file("etc/hello", "hello\n"), Entry.file("etc/gone", "x"), Entry.symlink("etc/link", "hello")),
                tar(Entry.file("etc/.wh.gone", ""), Entry.file("etc/added", "added\n")));
    }

    @Test
    void pullsListsMountsAndRemoves() throws IOException {
        TestRegistry.Pushed pushed = push("app/one", "1", twoLayers(), null, Map.of("team", "a"));
        String ref = registry.host() + "/app/one:1";
        List<PullEvent> events = new CopyOnWriteArrayList<>();
        PullReport report = engine.images().pull(PullOptions.of(ref), events::add);

        assertThat(report.imageId()).isEqualTo(pushed.config().digest());
        assertThat(report.newer()).isTrue();
        assertThat(events).anyMatch(e -> e instanceof PullEvent.Complete);
        assertThat(events.getLast().status()).isEqualTo("Status: Downloaded newer image for " + ref);

        List<ImageSummary> list = engine.images().list(ImageListOptions.ALL);
        assertThat(list).singleElement().satisfies(s -> {
            assertThat(s.repoTags()).containsExactly(ref);
            assertThat(s.repoDigests()).containsExactly(registry.host() + "/app/one@" + pushed.manifest().digest());
            assertThat(s.labels()).containsEntry("team", "a");
            assertThat(s.size()).isPositive();
        });
        ImageDetails d = engine.images().inspect(report.imageId().hex().substring(0, 12));
        assertThat(d.config().architecture()).isEqualTo("amd64");
        assertThat(engine.images().history(ref)).hasSize(3).first().satisfies(h -> assertThat(h.createdBy()).isEqualTo("layer two"));

        // Pulling again is a no-op that says so.
        List<PullEvent> again = new CopyOnWriteArrayList<>();
        assertThat(engine.images().pull(PullOptions.of(ref), again::add).newer()).isFalse();
        assertThat(again).anyMatch(e -> e instanceof PullEvent.AlreadyExists);

        Path mnt = Path.of(engine.images().mount(ref));
        try {
            assertThat(mnt.resolve("etc/hello")).hasContent("hello");
            assertThat(mnt.resolve("etc/added")).hasContent("added");
            assertThat(mnt.resolve("etc/gone")).doesNotExist();
            assertThat(Files.readSymbolicLink(mnt.resolve("etc/link"))).hasToString("hello");
            assertThatThrownBy(() -> Files.writeString(mnt.resolve("etc/new"), "x")).isInstanceOf(IOException.class);
        } finally {
            engine.images().unmount(ref);
        }
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(mnt.toString());

        engine.images().tag(ref, "local/copy:2");
        assertThat(engine.images().inspect("local/copy:2").id()).isEqualTo(report.imageId());
        assertThatThrownBy(() -> engine.images().remove(report.imageId().toString(), RemoveOptions.DEFAULT))
                .isInstanceOfSatisfying(BerthException.class, e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.CONFLICT));
        assertThat(engine.images().remove("local/copy:2", RemoveOptions.DEFAULT)).containsExactly(RemoveItem.untagged("local/copy:2"));
        List<RemoveItem> removed = engine.images().remove(ref, RemoveOptions.DEFAULT);
        assertThat(removed).contains(RemoveItem.untagged(ref), RemoveItem.deleted(report.imageId().toString()));
        assertThat(engine.images().list(ImageListOptions.ALL)).isEmpty();
        assertThat(blobs()).isEmpty();
        assertThatThrownBy(() -> engine.images().inspect(ref)).hasMessageContaining("No such image");
    }

    @Test
    void wrongDiffIdFailsAndLeavesNoImage() throws IOException {
        List<byte[]> layers = twoLayers();
        push("app/bad", "1", layers, List.of(Digest.sha256(layers.get(0)).toString(), "sha256:" + "0".repeat(64)), Map.of());
        String ref = registry.host() + "/app/bad:1";
        assertThatThrownBy(() -> engine.images().pull(PullOptions.of(ref), null))
                .isInstanceOfSatisfying(BerthException.class, e -> {
                    assertThat(e.kind()).isEqualTo(BerthException.Kind.DATA_LOSS);
                    assertThat(e.getMessage()).contains("diff_id");
                });
        assertThat(engine.images().list(ImageListOptions.ALL)).isEmpty();
        engine.images().prune(PruneOptions.DANGLING);
    }

    @Test
    void saveAndLoadRoundTripAndSurviveRestart() throws IOException {
        push("app/rt", "1", twoLayers(), null, Map.of());
        String ref = registry.host() + "/app/rt:1";
        PullReport r = engine.images().pull(PullOptions.of(ref), null);
        ByteArrayOutputStream archive = new ByteArrayOutputStream();
        engine.images().save(List.of(ref), archive);
        engine.images().remove(ref, RemoveOptions.DEFAULT);
        assertThat(blobs()).isEmpty();

        LoadReport loaded = engine.images().load(new ByteArrayInputStream(archive.toByteArray()), null);
        assertThat(loaded.loadedTags()).containsExactly(ref);
        assertThat(engine.images().inspect(ref).id()).isEqualTo(r.imageId());

        engine.close();
        engine = NativeEngine.open(EngineConfig.defaults(root.resolve("state")));
        assertThat(engine.images().inspect(ref).id()).isEqualTo(r.imageId());
        Path mnt = Path.of(engine.images().mount(ref));
        try {
            assertThat(mnt.resolve("etc/added")).hasContent("added");
        } finally {
            engine.images().unmount(ref);
        }
    }

    @Test
    void rejectsBadReferencesClearly() {
        assertThatThrownBy(() -> engine.images().pull(PullOptions.of("Upper/Case"), null))
                .isInstanceOfSatisfying(BerthException.class, e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.INVALID_ARGUMENT))
                .hasMessageContaining("must be lowercase");
        assertThatThrownBy(() -> engine.images().inspect("nosuch:1"))
                .isInstanceOfSatisfying(BerthException.class, e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.NOT_FOUND));
    }

    private List<Path> blobs() throws IOException {
        Path dir = root.resolve("state/content");
        if (!Files.exists(dir)) return List.of();
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> p.toString().contains("/blobs/")).toList();
        }
    }
}
