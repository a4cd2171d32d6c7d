package io.berth.engine.image;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.type.TypeReference;
import io.berth.api.BerthException;
import io.berth.api.image.LoadReport;
import io.berth.api.image.PullEvent;
import io.berth.api.image.PullListener;
import io.berth.engine.content.ContentStore;
import io.berth.engine.content.ContentWriter;
import io.berth.spec.image.ChainId;
import io.berth.spec.image.Descriptor;
import io.berth.spec.image.Digest;
import io.berth.spec.image.ImageConfig;
import io.berth.spec.image.Index;
import io.berth.spec.image.Manifest;
import io.berth.spec.image.MediaTypes;
import io.berth.spec.image.Reference;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * {@code docker load}: reads a docker-archive (manifest.json with Config, RepoTags, Layers) or an
 * OCI image layout (index.json + blobs/) from a tar stream. The archive is untrusted: its member
 * names are only ever used as keys into a private spool directory (never as paths to create), and
 * every layer is verified against the config's diff_ids while it is unpacked.
 */
final class ArchiveLoader {
    private final ImageService images;
    private final ContentStore content;
    private final LayerUnpacker unpacker;
    private final Path tmp;

    ArchiveLoader(ImageService images, ContentStore content, LayerUnpacker unpacker, Path tmp) {
        this.images = images;
        this.content = content;
        this.unpacker = unpacker;
        this.tmp = tmp;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record ArchiveManifest(@JsonProperty("Config") String config, @JsonProperty("RepoTags") List<String> repoTags,
                           @JsonProperty("Layers") List<String> layers) {
    }

    LoadReport load(InputStream archive, PullListener listener) {
        Path spool = tmp.resolve("load-" + UUID.randomUUID());
        try {
            Files.createDirectories(spool);
            Map<String, Path> members = spool(archive, spool);
            List<String> tags = new ArrayList<>(), ids = new ArrayList<>();
            if (members.containsKey("manifest.json")) {
                List<ArchiveManifest> entries = ImageJson.MAPPER.readValue(Files.readAllBytes(members.get("manifest.json")),
                        new TypeReference<List<ArchiveManifest>>() { });
                for (ArchiveManifest m : entries) loadDockerEntry(m, members, listener, tags, ids);
            } else if (members.containsKey("index.json")) {
                loadOciLayout(members, listener, tags, ids);
            } else {
                throw BerthException.invalid("loading images: archive has neither manifest.json nor index.json; is it a docker save archive?");
            }
            return new LoadReport(tags, ids);
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.UNAVAILABLE, "loading images: " + e.getMessage(), e);
        } finally {
            deleteTree(spool);
        }
    }

    /** Copies regular members to numbered files; symlinked members (legacy format) alias their target. */
    private static Map<String, Path> spool(InputStream archive, Path dir) throws IOException {
        Map<String, Path> files = new HashMap<>();
        Map<String, String> links = new HashMap<>();
        TarArchiveInputStream tar = new TarArchiveInputStream(new BufferedInputStream(archive, 1 << 16));
        int n = 0;
        for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
            String name = normalize(e.getName());
            if (name == null) continue;
            if (e.isSymbolicLink()) {
                String parent = name.contains("/") ? name.substring(0, name.lastIndexOf('/') + 1) : "";
                String target = normalize(parent + e.getLinkName());
                if (target != null) links.put(name, target);
            } else if (e.isFile()) {
                Path f = dir.resolve(Integer.toString(n++));
                try (OutputStream out = Files.newOutputStream(f)) { tar.transferTo(out); }
                files.put(name, f);
            }
        }
        links.forEach((name, target) -> { if (files.containsKey(target)) files.put(name, files.get(target)); });
        return files;
    }

    /** Lexically normalises an archive member name; null when it escapes the archive or is empty. */
    static String normalize(String name) {
        List<String> parts = new ArrayList<>();
        for (String p : name.split("/")) {
            if (p.isEmpty() || p.equals(".")) continue;
            if (p.equals("..")) { if (parts.isEmpty()) return null; parts.removeLast(); continue; }
            parts.add(p);
        }
        return parts.isEmpty() ? null : String.join("/", parts);
    }

    private static Path member(Map<String, Path> members, String name) {
        String n = name == null ? null : normalize(name);
        Path p = n == null ? null : members.get(n);
        if (p == null) throw BerthException.invalid("loading images: archive lacks %s named by its manifest", name);
        return p;
    }

    private void loadDockerEntry(ArchiveManifest m, Map<String, Path> members, PullListener listener,
                                 List<String> tags, List<String> ids) throws IOException {
        byte[] configBytes = Files.readAllBytes(member(members, m.config()));
        Digest id = Digest.sha256(configBytes);
        ImageConfig config = ImageJson.read(configBytes, ImageConfig.class, "image config " + m.config());
        List<Path> layerFiles = (m.layers() == null ? List.<String>of() : m.layers()).stream().map(l -> member(members, l)).toList();
        if (layerFiles.size() != config.diffIds().size())
            throw BerthException.invalid("loading images: config %s lists %d layers but the archive has %d", id.shortHex(), config.diffIds().size(), layerFiles.size());
        List<Descriptor> layers = new ArrayList<>();
        for (Path f : layerFiles) layers.add(describe(f));
        Descriptor configDesc = new Descriptor(MediaTypes.DOCKER_CONFIG, id, configBytes.length);
        Manifest manifest = new Manifest(2, MediaTypes.DOCKER_MANIFEST, configDesc, layers, null);
        importImage(manifest, configBytes, config, layerFiles, m.repoTags() == null ? List.of() : m.repoTags(), listener, tags, ids);
    }

    private void loadOciLayout(Map<String, Path> members, PullListener listener, List<String> tags, List<String> ids) throws IOException {
        Index index = ImageJson.read(Files.readAllBytes(members.get("index.json")), Index.class, "index.json");
        for (Descriptor d : index.manifests() == null ? List.<Descriptor>of() : index.manifests()) {
            byte[] mb = verified(members, d);
            Manifest m = ImageJson.read(mb, Manifest.class, "manifest " + d.digest());
            if (m.config() == null || m.layers() == null) continue; // nested indexes are not followed
            byte[] configBytes = verified(members, m.config());
            ImageConfig config = ImageJson.read(configBytes, ImageConfig.class, "image config " + m.config().digest());
            List<Path> files = new ArrayList<>();
            for (Descriptor l : m.layers()) files.add(member(members, "blobs/" + l.digest().algorithm() + "/" + l.digest().hex()));
            String name = d.annotations() == null ? null : d.annotations().getOrDefault("io.containerd.image.name", d.annotations().get("org.opencontainers.image.ref.name"));
            List<String> repoTags = name != null && Reference.isValid(name) && name.contains(":") ? List.of(name) : List.of();
            importImage(m, configBytes, config, files, repoTags, listener, tags, ids);
        }
    }

    private static byte[] verified(Map<String, Path> members, Descriptor d) throws IOException {
        byte[] b = Files.readAllBytes(member(members, "blobs/" + d.digest().algorithm() + "/" + d.digest().hex()));
        if (!Digest.sha256(b).equals(d.digest()))
            throw BerthException.dataLoss("loading images: blob %s does not match its digest", d.digest());
        return b;
    }

    private static Descriptor describe(Path f) throws IOException {
        MessageDigest md = Digest.newSha256();
        byte[] magic = new byte[4];
        int got;
        try (InputStream in = Files.newInputStream(f)) {
            got = in.readNBytes(magic, 0, 4);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(f), md)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        String mt = MediaTypes.DOCKER_LAYER;
        if (got >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) mt = MediaTypes.DOCKER_LAYER_GZIP;
        else if (got == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5 && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd) mt = MediaTypes.OCI_LAYER_ZSTD;
        return new Descriptor(mt, Digest.ofSha256(md.digest()), Files.size(f));
    }

    private void importImage(Manifest manifest, byte[] configBytes, ImageConfig config, List<Path> layerFiles,
                             List<String> repoTags, PullListener listener, List<String> tags, List<String> ids) throws IOException {
        List<Reference> refs = new ArrayList<>();
        for (String t : repoTags) {
            try { refs.add(Reference.parse(t)); }
            catch (IllegalArgumentException e) { throw BerthException.invalid("loading images: invalid tag %s in archive: %s", t, e.getMessage()); }
        }
        byte[] manifestBytes = ImageJson.write(manifest);
        Digest manifestDigest = Digest.sha256(manifestBytes);
        List<String> chain = ChainId.chain(config.diffIds()).stream().map(Digest::toString).toList();
        List<String> leaseIds = new ArrayList<>(chain);
        leaseIds.add(manifestDigest.toString());
        leaseIds.add(manifest.config().digest().toString());
        manifest.layers().forEach(l -> leaseIds.add(l.digest().toString()));
        try (Leases.Lease lease = images.leases().acquire(leaseIds)) {
            ingest(manifestDigest, manifestBytes);
            ingest(manifest.config().digest(), configBytes);
            long size = 0;
            for (int i = 0; i < layerFiles.size(); i++) {
                Descriptor l = manifest.layers().get(i);
                try (InputStream in = Files.newInputStream(layerFiles.get(i))) { ingest(l.digest(), l.size(), in); }
                String id = l.digest().shortHex();
                long total = l.size();
                long applied = unpacker.unpack(l, config.diffIds().get(i), chain.get(i), i == 0 ? null : chain.get(i - 1),
                        cur -> listener.onEvent(new PullEvent.Extracting(id, cur, total)));
                if (applied == 0) applied = images.layerSize(chain.get(i));
                else images.rememberLayerSize(chain.get(i), applied);
                size += applied;
            }
            Digest id = manifest.config().digest();
            for (Reference r : refs) images.record(id, manifestDigest, manifest.mediaType(), size, config, r, null);
            if (refs.isEmpty()) images.record(id, manifestDigest, manifest.mediaType(), size, config, null, null);
            for (Reference r : refs) {
                tags.add(r.familiarString());
                listener.onEvent(new PullEvent.Message("Loaded image: " + r.familiarString()));
            }
            if (refs.isEmpty()) {
                ids.add(id.toString());
                listener.onEvent(new PullEvent.Message("Loaded image ID: " + id));
            }
        }
    }

    private void ingest(Digest d, byte[] body) throws IOException {
        ingest(d, body.length, new java.io.ByteArrayInputStream(body));
    }

    private void ingest(Digest d, long size, InputStream in) throws IOException {
        if (content.info(d).isPresent()) return;
        try (ContentWriter w = content.writer(d.toString(), d, size)) {
            if (w.offset() > 0) w.truncate();
            in.transferTo(w.stream());
            w.commit();
        }
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> { try { Files.delete(f); } catch (IOException ignored) { } });
        } catch (IOException ignored) { /* best effort: the next start cleans STATE/tmp */ }
    }
}
