package io.berth.engine.image;

import io.berth.api.BerthException;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code docker save}: writes what Docker 25+ writes, an OCI image layout (oci-layout, index.json,
 * blobs/sha256/…) that is also a docker-archive (manifest.json pointing into blobs/), so both
 * {@code docker load} and OCI tools read it. Layers are written as stored (compressed); docker load
 * detects compression.
 */
final class ArchiveSaver {
    private final ImageService images;
    private final ContentStore content;

    ArchiveSaver(ImageService images, ContentStore content) {
        this.images = images;
        this.content = content;
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
                byte[] mb = content.readAll(r.manifestDigest());
                Manifest m = ImageJson.read(mb, Manifest.class, "manifest " + r.manifestDigest());
                blob(tar, m.config().digest(), written);
                List<String> layerPaths = new ArrayList<>();
                for (Descriptor l : m.layers()) { blob(tar, l.digest(), written); layerPaths.add(path(l.digest())); }
                blob(tar, r.manifestDigest(), written);
                List<String> repoTags = e.getValue().stream().map(Reference::familiarString).toList();
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("Config", path(m.config().digest()));
                entry.put("RepoTags", repoTags.isEmpty() ? null : repoTags);
                entry.put("Layers", layerPaths);
                dockerManifest.add(entry);
                String mt = r.manifestMediaType() != null ? r.manifestMediaType() : MediaTypes.OCI_MANIFEST;
                if (e.getValue().isEmpty()) {
                    indexEntries.add(new Descriptor(mt, r.manifestDigest(), mb.length));
                } else {
                    for (Reference t : e.getValue()) {
                        indexEntries.add(new Descriptor(mt, r.manifestDigest(), mb.length, null,
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

    private static void file(TarArchiveOutputStream tar, String name, byte[] body) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(body.length);
        e.setMode(0644);
        tar.putArchiveEntry(e);
        tar.write(body);
        tar.closeArchiveEntry();
    }
}
