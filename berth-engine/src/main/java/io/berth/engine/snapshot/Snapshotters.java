package io.berth.engine.snapshot;

import io.berth.engine.store.Database;
import io.berth.spec.runtime.Mount;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/** Picks and opens the snapshotter an engine root can use. */
public final class Snapshotters {
    /**
     * Label marking a snapshot as owned by one operation of the running daemon (a layer being
     * extracted, a temporary view): {@link Snapshotter#cleanup()} removes uncommitted snapshots
     * carrying it with value "true" after a restart. Committing drops it.
     */
    public static final String TRANSIENT_LABEL = "berth.io/transient";

    private static final System.Logger LOG = System.getLogger(Snapshotters.class.getName());
    private static final String PROBE_PREFIX = "probe-";

    private Snapshotters() {}

    /** {@link #open(Path, Database, Mounter)} with mount(8), umount(8) and cp(1) from PATH. */
    public static Snapshotter open(Path root, Database db) {
        return open(root, db, new Mounter());
    }

    /**
     * Opens the overlay snapshotter on {@code root/snapshots/overlay} when the kernel can mount
     * overlay on that filesystem, else the copy snapshotter on {@code root/snapshots/copy}, and logs
     * which. Call {@link Snapshotter#cleanup()} once after opening, while holding the root's lock.
     */
    public static Snapshotter open(Path root, Database db, Mounter mounter) {
        Path base = root.resolve("snapshots");
        String why = overlayUnsupportedReason(base, mounter);
        if (why == null) {
            LOG.log(System.Logger.Level.INFO, "snapshots: using overlay in {0}", base);
            return new OverlaySnapshotter(base.resolve("overlay"), db, mounter);
        }
        LOG.log(System.Logger.Level.WARNING, "snapshots: overlay unavailable in {0} ({1}); using full copies, which are slower and larger", base, why);
        return new CopySnapshotter(base.resolve("copy"), db, mounter);
    }

    /** Whether an overlay with two lower layers, an upper and a work dir can be mounted in {@code dir}. */
    public static boolean overlaySupported(Path dir, Mounter mounter) {
        return overlayUnsupportedReason(dir, mounter) == null;
    }

    /**
     * Mounts a tiny overlay in a temporary directory under {@code dir} (upper and work dirs must be
     * on the filesystem that will hold snapshots, which a /proc/filesystems check cannot tell),
     * writes through it, and unmounts it. Returns null on success, else why it failed.
     */
    static String overlayUnsupportedReason(Path dir, Mounter mounter) {
        Path probe = null;
        try {
            Files.createDirectories(dir);
            removeStaleProbes(dir, mounter);
            probe = Files.createDirectory(dir.resolve(PROBE_PREFIX + UUID.randomUUID()));
            for (String d : List.of("l1", "l2", "upper", "work", "merged")) Files.createDirectory(probe.resolve(d));
            Files.writeString(probe.resolve("l1/a"), "a");
            Path merged = probe.resolve("merged");
            Mount m = new Mount(null, "overlay", "overlay", List.of(
                    "workdir=" + probe.resolve("work"), "upperdir=" + probe.resolve("upper"),
                    "lowerdir=" + probe.resolve("l2") + ":" + probe.resolve("l1")));
            mounter.mount(List.of(m), merged);
            try {
                if (!"a".equals(Files.readString(merged.resolve("a")))) return "lower file not visible through the overlay";
                Files.writeString(merged.resolve("b"), "b");
            } finally {
                mounter.unmount(merged);
            }
            if (!Files.exists(probe.resolve("upper/b"))) return "write did not reach the upper dir";
            return null;
        } catch (IOException | RuntimeException e) {
            return e.getMessage();
        } finally {
            if (probe != null) {
                try {
                    Trees.deleteTree(probe, mounter);
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "snapshots: removing overlay probe " + probe, e);
                }
            }
        }
    }

    /** Probes a crash interrupted (possibly still mounted). */
    private static void removeStaleProbes(Path dir, Mounter mounter) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, PROBE_PREFIX + "*")) {
            for (Path p : s) Trees.deleteTree(p, mounter);
        }
    }
}
