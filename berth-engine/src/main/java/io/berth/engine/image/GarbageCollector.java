package io.berth.engine.image;

import io.berth.engine.content.ContentInfo;
import io.berth.engine.content.ContentStore;
import io.berth.engine.snapshot.SnapshotInfo;
import io.berth.engine.snapshot.Snapshotter;
import io.berth.engine.store.ImageRecord;
import io.berth.engine.store.TagRecord;
import io.berth.spec.image.Descriptor;
import io.berth.spec.image.Digest;
import io.berth.spec.image.Manifest;
import io.berth.spec.image.Reference;

import java.io.IOException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Mark and sweep over images → manifests, configs, layers and snapshots. Roots are the image records,
 * their digest references (which may name an index) and the leases of operations in flight. Runs
 * after a removal and at start; one collection at a time.
 */
final class GarbageCollector {
    private static final Logger LOG = Logger.getLogger(GarbageCollector.class.getName());

    private final ImageService images;
    private final ContentStore content;
    private final Snapshotter snapshots;

    GarbageCollector(ImageService images, ContentStore content, Snapshotter snapshots) {
        this.images = images;
        this.content = content;
        this.snapshots = snapshots;
    }

    /** Returns the bytes reclaimed (blobs plus snapshot contents). */
    synchronized long collect() {
        long reclaimed = 0;
        try {
            List<ContentInfo> blobs = content.list();
            List<SnapshotInfo> snaps = snapshots.list();
            Set<String> liveBlobs = liveBlobs();
            Set<String> liveSnaps = images.referencedSnapshots();
            for (ContentInfo b : blobs) {
                String d = b.digest().toString();
                if (liveBlobs.contains(d) || images.leases().isLeased(d)) continue;
                content.delete(b.digest());
                reclaimed += b.size();
            }
            Map<String, SnapshotInfo> byKey = new HashMap<>();
            snaps.forEach(s -> byKey.put(s.key(), s));
            List<SnapshotInfo> dead = snaps.stream()
                    .filter(s -> s.kind() == SnapshotInfo.Kind.COMMITTED)
                    .filter(s -> !liveSnaps.contains(s.key()) && !images.leases().isLeased(s.key()))
                    .sorted(Comparator.comparingInt((SnapshotInfo s) -> depth(s, byKey)).reversed())
                    .toList();
            for (SnapshotInfo s : dead) {
                try {
                    reclaimed += snapshots.usage(s.key());
                    snapshots.remove(s.key());
                } catch (IOException | RuntimeException e) {
                    // A child still in use (e.g. an extraction in flight on top of it): next collection.
                    LOG.log(Level.FINE, "keeping snapshot " + s.key() + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "garbage collection failed: " + e.getMessage(), e);
        }
        return reclaimed;
    }

    private Set<String> liveBlobs() throws IOException {
        Set<String> live = new HashSet<>();
        for (ImageRecord r : images.store().all()) {
            live.add(r.id().toString());
            live.add(r.manifestDigest().toString());
            if (content.info(r.manifestDigest()).isPresent()) {
                Manifest m = ImageJson.read(content.readAll(r.manifestDigest()), Manifest.class, "manifest " + r.manifestDigest());
                if (m.layers() != null) for (Descriptor l : m.layers()) live.add(l.digest().toString());
            }
        }
        for (TagRecord t : images.store().allTags()) {
            Digest d = Reference.parseName(t.reference()).digest();
            if (d != null) live.add(d.toString());
        }
        return live;
    }

    private static int depth(SnapshotInfo s, Map<String, SnapshotInfo> byKey) {
        int d = 0;
        for (SnapshotInfo p = s; p != null && p.parent() != null && d < 10_000; p = byKey.get(p.parent())) d++;
        return d;
    }
}
