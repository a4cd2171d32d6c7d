package io.berth.engine.container;

import io.berth.engine.runtime.ConmonRuntime;
import io.berth.engine.snapshot.Mounter;
import io.berth.engine.snapshot.SnapshotInfo;
import io.berth.engine.snapshot.Snapshotter;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The reverse orphans: files a daemon killed between two steps of create or remove leaves without a
 * record. A container's snapshot is prepared and its bundle directory made before its record is
 * stored, and removed before the record is deleted, so a crash in between leaves a
 * {@code container-ID} snapshot, a {@code containers/ID} directory or the runtime's files of an id
 * nobody knows. Nothing of a known id is touched; the caller holds the lock that create takes, so no
 * container is half-created while this runs.
 */
final class OrphanSweep {
    private static final System.Logger LOG = System.getLogger(OrphanSweep.class.getName());

    private OrphanSweep() {}

    /** Removes what belongs to no known container; returns one line per thing removed. */
    static List<String> sweep(Snapshotter snapshots, String snapshotPrefix, Mounter mounter, Path containersDir,
                              ConmonRuntime runtime, Predicate<String> known) {
        List<String> done = new ArrayList<>();
        for (SnapshotInfo s : snapshots.list()) {
            if (s.kind() != SnapshotInfo.Kind.ACTIVE || !s.key().startsWith(snapshotPrefix)) continue;
            String id = s.key().substring(snapshotPrefix.length());
            if (known.test(id)) continue;
            try {
                unmount(mounter, containersDir.resolve(id).resolve("rootfs"));
                snapshots.remove(s.key());
                done.add("removed snapshot " + s.key() + ": no container record");
            } catch (IOException | RuntimeException e) {
                done.add("removing snapshot " + s.key() + " failed: " + e.getMessage());
            }
        }
        for (Path dir : list(containersDir)) {
            String id = dir.getFileName().toString();
            if (known.test(id)) continue;
            try {
                unmount(mounter, dir.resolve("rootfs"));
                deleteTree(dir);
                done.add("deleted " + dir + ": no container record");
            } catch (IOException | RuntimeException e) {
                done.add("deleting " + dir + " failed: " + e.getMessage());
            }
        }
        for (Path dir : list(runtime.config().containerDir())) {
            String id = dir.getFileName().toString();
            if (known.test(id)) continue;
            runtime.forget(id); // its conmon, if any, was killed by the caller's sweep of monitors
            done.add("deleted runtime files of " + id + ": no container record");
        }
        // Exit files of unknown ids, and socket links that lead nowhere (an exec's link lives only as long as its directory).
        for (Path p : list(runtime.config().exitDir())) {
            if (!known.test(p.getFileName().toString())) delete(p, done);
        }
        for (Path p : list(runtime.config().socketDir())) {
            if (!known.test(p.getFileName().toString()) && Files.isSymbolicLink(p) && !Files.exists(p)) delete(p, done);
        }
        return done;
    }

    private static void delete(Path p, List<String> done) {
        try {
            Files.deleteIfExists(p);
            done.add("deleted stale " + p);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "deleting " + p + ": " + e.getMessage());
        }
    }

    private static void unmount(Mounter mounter, Path rootfs) throws IOException {
        if (Files.exists(rootfs) && Mounter.isMountPoint(rootfs)) mounter.unmount(rootfs);
    }

    private static List<Path> list(Path dir) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) out.add(p);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "listing " + dir + ": " + e.getMessage());
        }
        return out;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
