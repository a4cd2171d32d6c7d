package io.berth.engine.image;

import io.berth.api.BerthException;
import io.berth.engine.snapshot.SnapshotInfo;
import io.berth.engine.snapshot.Snapshotter;
import io.berth.spec.image.Digest;
import io.berth.spec.runtime.Mount;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code berth image mount}: a read-only view of an image's root filesystem, mounted under
 * STATE/mounts/ID. Mounts are counted like podman's, and they outlive a daemon restart (the kernel
 * keeps them): {@link #recover()} re-adopts the ones still mounted and drops the rest.
 */
final class ImageMounts {
    private static final String PREFIX = "mount-";

    private final Snapshotter snapshots;
    private final RootfsMounter mounter;
    private final Path dir;
    private final Map<String, Integer> counts = new HashMap<>();

    ImageMounts(Snapshotter snapshots, RootfsMounter mounter, Path dir) {
        this.snapshots = snapshots;
        this.mounter = mounter;
        this.dir = dir;
    }

    synchronized Path mount(Digest image, String topChain) throws IOException {
        String key = PREFIX + image.hex();
        Path target = dir.resolve(image.hex());
        Integer n = counts.get(key);
        if (n != null) {
            counts.put(key, n + 1);
            return target;
        }
        Files.createDirectories(target);
        if (topChain == null) {
            counts.put(key, 1); // an image without layers is an empty directory
            return target;
        }
        List<Mount> mounts = snapshots.stat(key).isPresent() ? snapshots.mounts(key) : snapshots.view(key, topChain, Map.of());
        try {
            mounter.mount(mounts, target);
        } catch (IOException | RuntimeException e) {
            snapshots.remove(key);
            throw e;
        }
        counts.put(key, 1);
        return target;
    }

    synchronized void unmount(Digest image) throws IOException {
        String key = PREFIX + image.hex();
        Integer n = counts.get(key);
        if (n == null) throw BerthException.invalid("image %s is not mounted", image.shortHex());
        if (n > 1) { counts.put(key, n - 1); return; }
        Path target = dir.resolve(image.hex());
        if (snapshots.stat(key).isPresent()) {
            mounter.unmount(target);
            snapshots.remove(key);
        }
        Files.deleteIfExists(target);
        counts.remove(key);
    }

    synchronized Set<String> viewKeys() { return Set.copyOf(counts.keySet()); }

    /** After a restart: keep views still mounted, remove the others and their directories. */
    synchronized void recover() throws IOException {
        String mountinfo = Files.exists(Path.of("/proc/self/mountinfo")) ? Files.readString(Path.of("/proc/self/mountinfo")) : "";
        for (SnapshotInfo s : snapshots.list()) {
            if (s.kind() != SnapshotInfo.Kind.VIEW || !s.key().startsWith(PREFIX)) continue;
            Path target = dir.resolve(s.key().substring(PREFIX.length()));
            if (mountinfo.contains(" " + target + " ")) {
                counts.put(s.key(), 1);
            } else {
                snapshots.remove(s.key());
                Files.deleteIfExists(target);
            }
        }
    }
}
