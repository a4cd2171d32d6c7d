package io.berth.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.api.BerthException;
import io.berth.api.image.HistoryEntry;
import io.berth.api.image.ImageDetails;
import io.berth.api.image.ImageEngine;
import io.berth.api.image.ImageListOptions;
import io.berth.api.image.ImageSummary;
import io.berth.api.image.LoadReport;
import io.berth.api.image.PruneOptions;
import io.berth.api.image.PruneReport;
import io.berth.api.image.PullEvent;
import io.berth.api.image.PullListener;
import io.berth.api.image.PullOptions;
import io.berth.api.image.PullReport;
import io.berth.api.image.RegistryAuth;
import io.berth.api.image.RemoveItem;
import io.berth.api.image.RemoveOptions;
import io.berth.api.system.InfoReport;
import io.berth.api.system.SystemEngine;
import io.berth.api.system.VersionReport;
import io.berth.spec.image.Digest;
import io.berth.spec.image.ImageConfig;
import io.berth.spec.image.Reference;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-memory stand-in for the engine, only for testing the HTTP layer: images are config JSON
 * plus tags; pull invents layer progress; save/load write and read a minimal docker-archive
 * (manifest.json and config blobs). Pull behaviour is steered by the repository name:
 * {@code …/nosuch} fails before any progress (manifest unknown), {@code …/failmid} fails mid-stream.
 */
final class FakeEngine implements ImageEngine, SystemEngine {
    static final ObjectMapper JSON = new ObjectMapper();

    static final class Img {
        final Digest id;
        final byte[] configJson;
        final ImageConfig config;
        final List<String> tags = new CopyOnWriteArrayList<>();
        final List<String> digests = new CopyOnWriteArrayList<>();
        final Instant created;
        volatile Instant lastTagTime;

        Img(byte[] configJson) {
            this.configJson = configJson;
            this.id = Digest.sha256(configJson);
            try { this.config = JSON.readValue(configJson, ImageConfig.class); }
            catch (IOException e) { throw new UncheckedIOException(e); }
            this.created = Instant.parse(config.created());
        }
    }

    final Map<Digest, Img> images = new LinkedHashMap<>();
    final List<RegistryAuth> pullAuths = new CopyOnWriteArrayList<>();
    final List<PullOptions> pulls = new CopyOnWriteArrayList<>();

    static byte[] config(String created, String cmd, Map<String, String> labels, String... diffIds) {
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("created", created);
        cfg.put("architecture", "amd64");
        cfg.put("os", "linux");
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("Env", List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
        c.put("Cmd", List.of(cmd));
        if (labels != null) c.put("Labels", labels);
        cfg.put("config", c);
        cfg.put("rootfs", Map.of("type", "layers", "diff_ids", List.of(diffIds)));
        cfg.put("history", List.of(
                Map.of("created", created, "created_by", "/bin/sh -c #(nop) ADD file:abc in / "),
                Map.of("created", created, "created_by", "/bin/sh -c #(nop)  CMD [\"" + cmd + "\"]", "empty_layer", true)));
        try { return JSON.writeValueAsBytes(cfg); } catch (IOException e) { throw new UncheckedIOException(e); }
    }

    synchronized Img add(byte[] configJson, String... tags) {
        Img img = images.computeIfAbsent(Digest.sha256(configJson), d -> new Img(configJson));
        for (String t : tags) addTag(img, t);
        return img;
    }

    private void addTag(Img img, String ref) {
        String familiar = Reference.parse(ref).familiarString();
        for (Img other : images.values()) other.tags.remove(familiar);
        img.tags.add(familiar);
        img.lastTagTime = Instant.parse("2026-11-23T13:37:15.4976735Z");
    }

    synchronized Img resolve(String ref) {
        String hex = ref.startsWith("sha256:") ? ref.substring(7) : ref;
        if (hex.matches("[a-f0-9]{6,64}")) {
            for (Img i : images.values()) if (i.id.hex().startsWith(hex)) return i;
        }
        String familiar;
        try { familiar = Reference.parse(ref).familiarString(); }
        catch (IllegalArgumentException e) { throw BerthException.invalid("%s", e.getMessage()); }
        for (Img i : images.values()) if (i.tags.contains(familiar)) return i;
        throw BerthException.notFound("No such image: %s", ref);
    }

    // ---- ImageEngine

    @Override public PullReport pull(PullOptions options, PullListener listener) {
        pulls.add(options);
        if (options.auth() != null) pullAuths.add(options.auth());
        Reference ref = Reference.parse(options.reference());
        if (ref.path().endsWith("nosuch")) throw BerthException.unavailable("manifest unknown");
        listener.onEvent(new PullEvent.Resolving(ref.tag(), ref.path()));
        Digest manifest = Digest.sha256(options.reference().getBytes(StandardCharsets.UTF_8));
        synchronized (this) {
            for (Img i : images.values())
                if (i.tags.contains(ref.familiarString())) return new PullReport(options.reference(), i.id, manifest, false);
        }
        String layer = "fdd779cd6f10";
        listener.onEvent(new PullEvent.Waiting(layer));
        listener.onEvent(new PullEvent.Downloading(layer, 36564, 1028018));
        if (ref.path().endsWith("failmid")) throw BerthException.dataLoss("pulling %s: layer %s: digest mismatch", options.reference(), layer);
        listener.onEvent(new PullEvent.Downloading(layer, 1028018, 1028018));
        listener.onEvent(new PullEvent.Verifying(layer));
        listener.onEvent(new PullEvent.Downloaded(layer));
        listener.onEvent(new PullEvent.Extracting(layer, 32768, 1028018));
        listener.onEvent(new PullEvent.Complete(layer));
        Img img = add(config("2026-11-23T13:37:15.497673507Z", "sh", null,
                "sha256:39fce6fb821fbc03a62e2e8b9455e62884ec1fbaa7f69022e830fa812ebf432b"), options.reference());
        img.digests.add(ref.familiarName() + "@" + manifest);
        return new PullReport(options.reference(), img.id, manifest, true);
    }

    @Override public synchronized List<ImageSummary> list(ImageListOptions o) {
        List<ImageSummary> out = new ArrayList<>();
        for (Img i : images.values()) {
            if (o.dangling() != null && o.dangling() != i.tags.isEmpty()) continue;
            if (!o.references().isEmpty() && i.tags.stream().noneMatch(t -> o.references().stream().anyMatch(t::startsWith))) continue;
            Map<String, String> labels = labels(i);
            if (!o.labels().stream().allMatch(l -> matchesLabel(labels, l))) continue;
            out.add(new ImageSummary(i.id, List.copyOf(i.tags), List.copyOf(i.digests), i.created, 1982312, labels, -1));
        }
        return out;
    }

    private static Map<String, String> labels(Img i) {
        return i.config.config() == null || i.config.config().labels() == null ? Map.of() : i.config.config().labels();
    }

    private static boolean matchesLabel(Map<String, String> labels, String filter) {
        int eq = filter.indexOf('=');
        return eq < 0 ? labels.containsKey(filter) : filter.substring(eq + 1).equals(labels.get(filter.substring(0, eq)));
    }

    @Override public ImageDetails inspect(String reference) {
        Img i;
        try { i = resolve(reference); }
        catch (BerthException e) {
            if (e.kind() == BerthException.Kind.NOT_FOUND) throw BerthException.notFound("no such image: %s: No such image: %s", reference, reference);
            throw e;
        }
        return new ImageDetails(i.id, List.copyOf(i.tags), List.copyOf(i.digests), i.created, i.config, 1982312, null,
                "overlay", Map.of("LowerDir", "/var/lib/berth/snapshots/1/fs"), i.lastTagTime);
    }

    @Override public List<HistoryEntry> history(String reference) {
        Img i = resolve(reference);
        List<HistoryEntry> out = new ArrayList<>();
        List<ImageConfig.History> h = i.config.history();
        for (int k = h.size() - 1; k >= 0; k--) {
            out.add(new HistoryEntry(k == h.size() - 1 ? i.id.toString() : "<missing>", Instant.parse(h.get(k).created()),
                    h.get(k).createdBy(), k == h.size() - 1 ? List.copyOf(i.tags) : List.of(),
                    h.get(k).isEmptyLayer() ? 0 : 1982312, ""));
        }
        return out;
    }

    @Override public synchronized void tag(String source, String target) {
        Img i = resolve(source);
        try { Reference.parse(target); }
        catch (IllegalArgumentException e) { throw BerthException.invalid("%s", e.getMessage()); }
        addTag(i, target);
    }

    @Override public synchronized List<RemoveItem> remove(String reference, RemoveOptions options) {
        Img i = resolve(reference);
        List<RemoveItem> out = new ArrayList<>();
        boolean byId = !i.tags.contains(safeFamiliar(reference));
        if (!byId) {
            String t = safeFamiliar(reference);
            i.tags.remove(t);
            out.add(RemoveItem.untagged(t));
            if (!i.tags.isEmpty()) return out;
        } else {
            if (i.tags.size() > 1 && !options.force())
                throw BerthException.conflict("conflict: unable to delete %s (must be forced) - image is referenced in multiple repositories", i.id.shortHex());
            for (String t : i.tags) out.add(RemoveItem.untagged(t));
        }
        images.remove(i.id);
        out.add(RemoveItem.deleted(i.id.toString()));
        return out;
    }

    private static String safeFamiliar(String ref) {
        try { return Reference.parse(ref).familiarString(); } catch (IllegalArgumentException e) { return ref; }
    }

    @Override public LoadReport load(InputStream archive, PullListener listener) {
        Map<String, byte[]> files = new HashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(archive)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) if (e.isFile()) files.put(e.getName(), tar.readAllBytes());
        } catch (IOException e) {
            throw BerthException.invalid("loading images: reading the archive: %s", e.getMessage());
        }
        byte[] manifest = files.get("manifest.json");
        if (manifest == null) throw BerthException.invalid("loading images: archive has no manifest.json");
        List<String> tags = new ArrayList<>(), ids = new ArrayList<>();
        try {
            for (JsonNode m : JSON.readTree(manifest)) {
                byte[] cfg = files.get(m.get("Config").asText());
                List<String> repoTags = new ArrayList<>();
                if (m.hasNonNull("RepoTags")) m.get("RepoTags").forEach(t -> repoTags.add(t.asText()));
                Img img = add(cfg, repoTags.toArray(String[]::new));
                if (repoTags.isEmpty()) ids.add(img.id.toString());
                tags.addAll(repoTags);
            }
        } catch (IOException e) {
            throw BerthException.invalid("loading images: bad manifest.json: %s", e.getMessage());
        }
        return new LoadReport(tags, ids);
    }

    @Override public void save(List<String> references, OutputStream out) {
        List<Img> imgs = references.stream().map(this::resolve).toList(); // fail before writing
        try {
            TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
            List<Map<String, Object>> manifest = new ArrayList<>();
            for (Img i : imgs) {
                String name = "blobs/sha256/" + i.id.hex();
                entry(tar, name, i.configJson);
                manifest.add(Map.of("Config", name, "RepoTags", List.copyOf(i.tags), "Layers", List.of()));
            }
            entry(tar, "manifest.json", JSON.writeValueAsBytes(manifest));
            tar.finish();
            out.flush();
        } catch (IOException e) {
            throw BerthException.unavailable("saving images: %s", e.getMessage());
        }
    }

    private static void entry(TarArchiveOutputStream tar, String name, byte[] data) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(data.length);
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
    }

    @Override public synchronized PruneReport prune(PruneOptions options) {
        List<RemoveItem> deleted = new ArrayList<>();
        images.values().removeIf(i -> {
            if (!options.all() && !i.tags.isEmpty()) return false;
            if (!options.labels().stream().allMatch(l -> matchesLabel(labels(i), l))) return false;
            i.tags.forEach(t -> deleted.add(RemoveItem.untagged(t)));
            deleted.add(RemoveItem.deleted(i.id.toString()));
            return true;
        });
        return new PruneReport(deleted, deleted.stream().filter(d -> d.deleted() != null).count() * 1982312L);
    }

    @Override public String mount(String reference) { throw BerthException.unavailable("fake engine: no mounts"); }

    @Override public void unmount(String reference) { throw BerthException.unavailable("fake engine: no mounts"); }

    // ---- SystemEngine

    @Override public VersionReport version() {
        return new VersionReport("0.1.0-test", "1.44", "1.24", "abc1234", "java25", "linux", "amd64",
                "6.1.0-test", "2026-11-23T00:00:00.000000000+00:00", "1.1.5");
    }

    @Override public synchronized InfoReport info() {
        return new InfoReport("BERT:H000", 0, 0, 0, 0, images.size(), "overlay",
                List.of(List.of("Backing Filesystem", "extfs")), "/var/lib/berth", "6.1.0-test",
                "Debian GNU/Linux 12 (bookworm)", "12", "x86_64", 2, 1L << 33, "testhost", "0.1.0-test",
                "2", "cgroupfs", List.of("127.0.0.0/8", "myreg:5000"), List.of());
    }

    @Override public String login(RegistryAuth auth) {
        if ("bad".equals(auth.password())) throw BerthException.unauthorized("login attempt to %s failed with status: 401 Unauthorized", auth.serverAddress());
        return "Login Succeeded";
    }
}
