package io.berth.engine.snapshot;

import io.berth.spec.runtime.Mount;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Snapshots of filesystems, in containerd's vocabulary. A committed snapshot is read-only and is
 * named (image layers are named by chain ID); an active one is writable and is keyed; a view is a
 * read-only active one. Lifecycle: {@code prepare(key, parent)} → write into it →
 * {@code commit(name, key)}; or {@code remove(key)}.
 *
 * <pre>{@code
 * sn.prepare("extract-1", parentChainId, Map.of());
 * applier.apply(tar, sn.writableDir("extract-1"), sn.whiteoutsAsDevices() ? OVERLAY : DELETE);
 * sn.commit(chainId, "extract-1");
 * List<Mount> m = sn.view("inspect-1", chainId);   // mount them to look inside
 * }</pre>
 *
 * Errors (BerthException): NOT_FOUND for an unknown key or parent, CONFLICT for a key in use, a
 * parent that is not committed, or removing a snapshot that has children.
 */
public interface Snapshotter extends AutoCloseable {
    List<Mount> prepare(String key, String parent, Map<String, String> labels) throws IOException;

    List<Mount> view(String key, String parent, Map<String, String> labels) throws IOException;

    List<Mount> mounts(String key) throws IOException;

    void commit(String name, String key) throws IOException;

    void remove(String key) throws IOException;

    Optional<SnapshotInfo> stat(String key);

    List<SnapshotInfo> list();

    /** Bytes used by the snapshot's own layer (not its parents). */
    long usage(String key) throws IOException;

    /** The directory to write an active snapshot's changes into without mounting it (overlay: the upper dir). */
    Path writableDir(String key) throws IOException;

    /** True when writableDir is an overlay upper dir (whiteouts as 0/0 devices), false for a full copy. */
    boolean whiteoutsAsDevices();

    /** Removes active snapshots left by a crash (no owner survives a restart) and orphaned directories. */
    void cleanup() throws IOException;

    @Override void close();
}
