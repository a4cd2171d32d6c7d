package io.berth.engine.snapshot;

import io.berth.engine.snapshot.SnapshotInfo.Kind;
import io.berth.engine.store.Database;
import io.berth.spec.runtime.Mount;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Overlayfs snapshots, laid out as containerd's overlay snapshotter does: each snapshot is
 * {@code DIR/<id>/fs} (its own layer: the upper dir while active) and {@code DIR/<id>/work}
 * (overlay's work dir), with short numeric ids so that mount options stay short. Metadata lives in
 * the engine {@link Database}; crash-safety rules are on {@link DirectorySnapshotter}.
 *
 * <p>Mounts (destination left null for the caller):
 * <ul>
 * <li>active without parent: a read-write bind mount of its fs;</li>
 * <li>active with parents: overlay with upperdir, workdir and lowerdir (parents nearest first);</li>
 * <li>view, or committed snapshot (whose layers are itself and its parents): one layer → a
 *     read-only bind mount of it; several → a read-only overlay with lowerdirs only; none (a view
 *     without parent) → a read-only bind of its empty fs.</li>
 * </ul>
 * The kernel copies at most one page of mount options. When the absolute paths would not fit
 * (images of 100+ layers) the lowerdirs become relative to {@code DIR} ({@code 12/fs:11/fs}) and
 * the mount carries {@code x-berth.chdir=DIR}: {@link Mounter} runs mount(8) there, the way
 * containerd mounts from a child whose working directory is the snapshots root.
 */
public final class OverlaySnapshotter extends DirectorySnapshotter {
    /** Bytes of options the kernel accepts: one page (x86-64, arm64 with 4K pages) including the NUL. */
    static final int MAX_OPTIONS_BYTES = 4096 - 1;

    /** @param dir the directory of this driver's snapshots (the engine uses ROOT/snapshots/overlay) */
    public OverlaySnapshotter(Path dir, Database db) {
        this(dir, db, new Mounter());
    }

    /** @param mounter used to unmount what a crash left mounted under {@code dir} */
    public OverlaySnapshotter(Path dir, Database db, Mounter mounter) {
        super("overlay", dir, db, mounter);
    }

    @Override
    void populate(Path snapshotDir, Kind kind, List<Long> parents) throws IOException {
        Path fs = Files.createDirectory(snapshotDir.resolve("fs"));
        if (kind == Kind.ACTIVE) {
            Files.createDirectory(snapshotDir.resolve("work"));
            if (!parents.isEmpty()) Trees.copyRootAttributes(fs(parents.getFirst()), fs);
        }
    }

    @Override
    List<Mount> mountsFor(Kind kind, List<Long> chain) {
        return mounts(dir, kind, chain);
    }

    /** The mounts of a snapshot; {@code chain} is its id then its ancestors' ids, nearest first. Pure. */
    static List<Mount> mounts(Path dir, Kind kind, List<Long> chain) {
        long self = chain.getFirst();
        List<Long> parents = chain.subList(1, chain.size());
        if (kind == Kind.ACTIVE) {
            if (parents.isEmpty()) return List.of(bind(dir, self, "rw"));
            List<String> opts = List.of(
                    "workdir=" + dir.resolve(self + "/work"),
                    "upperdir=" + dir.resolve(self + "/fs"));
            return List.of(overlay(dir, opts, parents));
        }
        List<Long> layers = kind == Kind.VIEW ? parents : chain;
        if (layers.isEmpty()) return List.of(bind(dir, self, "ro"));
        if (layers.size() == 1) return List.of(bind(dir, layers.getFirst(), "ro"));
        // Overlay refuses a single lowerdir without upperdir, hence the bind for one layer above.
        return List.of(overlay(dir, List.of("ro"), layers));
    }

    private static Mount bind(Path dir, long id, String mode) {
        return new Mount(null, "bind", dir.resolve(id + "/fs").toString(), List.of("rbind", mode));
    }

    private static Mount overlay(Path dir, List<String> head, List<Long> lowers) {
        List<String> abs = new ArrayList<>(head);
        abs.add("lowerdir=" + String.join(":", lowers.stream().map(id -> dir.resolve(id + "/fs").toString()).toList()));
        if (String.join(",", abs).getBytes(StandardCharsets.UTF_8).length <= MAX_OPTIONS_BYTES) {
            return new Mount(null, "overlay", "overlay", List.copyOf(abs));
        }
        List<String> rel = new ArrayList<>(head);
        rel.add("lowerdir=" + String.join(":", lowers.stream().map(id -> id + "/fs").toList()));
        rel.add(Mounter.CHDIR_OPTION + dir);
        return new Mount(null, "overlay", "overlay", List.copyOf(rel));
    }

    @Override
    public boolean whiteoutsAsDevices() {
        return true;
    }
}
