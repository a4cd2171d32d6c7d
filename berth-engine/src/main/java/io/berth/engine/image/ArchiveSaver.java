package io.berth.engine.image;

import io.berth.api.BerthException;
import io.berth.engine.archive.Decompression;
import io.berth.engine.content.ContentInfo;
import io.berth.engine.content.ContentStore;
import io.berth.engine.store.ImageRecord;
import io.berth.spec.image.Descriptor;
import io.berth.spec.image.Digest;
import io.berth.spec.image.Index;
import io.berth.spec.image.Manifest;
import io.berth.spec.image.MediaTypes;
import io.berth.spec.image.Reference;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code docker save}: writes what Docker 25+ writes, an OCI image layout (oci-layout, index.json,
 * blobs/sha256/…) that is also a docker-archive (manifest.json pointing into blobs/), so both
 * {@code docker load} and OCI tools read it. As Docker does, layers are written uncompressed and
 * named by their diff_id, with a manifest rewritten to describe them; so the archive's layer files
 * hash to the config's diff_ids, which is what docker-archive readers check.
 */
final class ArchiveSaver {
    private final ImageService images;
    private final ContentStore content;
    private final Path tmp;

    ArchiveSaver(ImageService images, ContentStore content, Path tmp) {
        this.images = images;
        this.content = content;
        this.tmp = tmp;
    }

    void save(List<String> references, OutputStream out) {
        if (references == null || references.isEmpty()) throw BerthException.invalid("saving images: no image named");
        // Resolve everything first so a bad name fails before a byte is written.
        Map<ImageRecord, List<Reference>> chosen = new LinkedHashMap<>();
        for (String ref : references) {
            ImageRecord r = images.resolve(ref);
            List<Reference> tags = chosen.computeIfAbsent(r, k -> new ArrayList<>());
            String hex = ref.startsWith("sha256:") ? ref.substring(7) : ref;
            boolean byId = hex.matches("[a-f0-9]{1,64}") && r.id().hex().startsWith(hex);
            if (!byId) {
                Reference n = Reference.parse(ref);
                if (n.digest() == null && !tags.contains(n)) tags.add(n);
            }
        }
        try {
            TarArchiveOutputStream tar = new TarArchiveOutputStream(out, 1 << 16);
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            Set<Digest> written = new HashSet<>();
            List<Map<String, Object>> dockerManifest = new ArrayList<>();
            List<Descriptor> indexEntries = new ArrayList<>();
            for (var e : chosen.entrySet()) {
                ImageRecord r = e.getKey();
                Manifest stored = ImageJson.read(content.readAll(r.manifestDigest()), Manifest.class, "manifest " + r.manifestDigest());
                boolean docker = MediaTypes.DOCKER_MANIFEST.equals(r.manifestMediaType());
                List<Digest> diffIds = images.config(r.id()).diffIds();
                blob(tar, stored.config().digest(), written);
                List<String> layerPaths = new ArrayList<>();
                List<Descriptor> plainLayers = new ArrayList<>();
                for (int i = 0; i < stored.layers().size(); i++) {
                    long size = plainLayer(tar, stored.layers().get(i), diffIds.get(i), written);
                    plainLayers.add(new Descriptor(docker ? MediaTypes.DOCKER_LAYER : MediaTypes.OCI_LAYER, diffIds.get(i), size));
                    layerPaths.add(path(diffIds.get(i)));
                }
                Manifest m = new Manifest(2, docker ? MediaTypes.DOCKER_MANIFEST : MediaTypes.OCI_MANIFEST, stored.config(), plainLayers, stored.annotations());
                byte[] mb = ImageJson.write(m);
                Digest md = Digest.sha256(mb);
                if (written.add(md)) file(tar, path(md), mb);
                List<String> repoTags = e.getValue().stream().map(Reference::familiarString).toList();
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("Config", path(m.config().digest()));
                entry.put("RepoTags", repoTags.isEmpty() ? null : repoTags);
                entry.put("Layers", layerPaths);
                dockerManifest.add(entry);
                String mt = m.mediaType();
                if (e.getValue().isEmpty()) {
                    indexEntries.add(new Descriptor(mt, md, mb.length));
                } else {
                    for (Reference t : e.getValue()) {
                        indexEntries.add(new Descriptor(mt, md, mb.length, null,
                                Map.of("io.containerd.image.name", t.toString(), "org.opencontainers.image.ref.name", t.tag()), null));
                    }
                }
            }
            file(tar, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes());
            file(tar, "index.json", ImageJson.write(new Index(2, MediaTypes.OCI_INDEX, indexEntries, null)));
            file(tar, "manifest.json", ImageJson.write(dockerManifest));
            tar.finish();
            tar.flush();
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.UNAVAILABLE, "saving images: " + e.getMessage(), e);
        }
    }

    private static String path(Digest d) { return "blobs/" + d.algorithm() + "/" + d.hex(); }

    private void blob(TarArchiveOutputStream tar, Digest d, Set<Digest> written) throws IOException {
        if (!written.add(d)) return;
        ContentInfo info = content.info(d).orElseThrow(() -> BerthException.notFound("saving images: blob %s is missing from the content store", d));
        TarArchiveEntry e = new TarArchiveEntry(path(d));
        e.setSize(info.size());
        e.setMode(0644);
        tar.putArchiveEntry(e);
        try (InputStream in = content.open(d)) { in.transferTo(tar); }
        tar.closeArchiveEntry();
    }

    /**
     * Writes one layer uncompressed under its diff_id and returns its size. A compressed blob is
     * first decompressed to a spool file (a tar entry needs its size up front) and checked against
     * the diff_id, so a damaged store cannot produce an archive that lies.
     */
    private long plainLayer(TarArchiveOutputStream tar, Descriptor layer, Digest diffId, Set<Digest> written) throws IOException {
        MediaTypes.Compression c = MediaTypes.layerCompression(layer.mediaType());
        if (c == MediaTypes.Compression.NONE) {
            blob(tar, layer.digest(), written);
            return layer.size();
        }
        Files.createDirectories(tmp);
        Path spool = Files.createTempFile(tmp, "save-", ".tar");
        try {
            MessageDigest md = diffId.newHasher();
            try (InputStream in = new DigestInputStream(Decompression.open(content.open(layer.digest()), c), md);
                 OutputStream out = Files.newOutputStream(spool)) {
                in.transferTo(out);
            }
            if (!Digest.ofSha256(md.digest()).equals(diffId))
                throw BerthException.dataLoss("saving images: layer %s does not decompress to its diff_id %s", layer.digest(), diffId);
            long size = Files.size(spool);
            if (written.add(diffId)) {
                TarArchiveEntry e = new TarArchiveEntry(path(diffId));
                e.setSize(size);
                e.setMode(0644);
                tar.putArchiveEntry(e);
                Files.copy(spool, tar);
                tar.closeArchiveEntry();
            }
            return size;
        } finally {
            Files.deleteIfExists(spool);
        }
    }

    private static void file(TarArchiveOutputStream tar, String name, byte[] body) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(body.length);
        e.setMode(0644);
        tar.putArchiveEntry(e);
        tar.write(body);
        tar.closeArchiveEntry();
    }
}
