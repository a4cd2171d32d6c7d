package io.berth.engine.snapshot;

import io.berth.engine.snapshot.SnapshotInfo.Kind;
import io.berth.engine.store.Database;
import io.berth.spec.runtime.Mount;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The fallback for filesystems where overlay cannot be mounted (an engine root on overlayfs
 * itself, on some network filesystems): every active snapshot is a full copy of its parent's tree,
 * made with {@code cp -a --reflink=auto} (GNU coreutils), which keeps modes, owners, timestamps,
 * symlinks, device nodes, hard links within the tree and xattrs (security.capability included),
 * and shares blocks instead of copying them on btrfs and XFS. Layers are therefore applied with
 * deletions rather than whiteout devices ({@link #whiteoutsAsDevices()} is false).
 *
 * <p>Mounts are bind mounts: active → read-write bind of its own tree; committed → read-only bind
 * of its own tree; view → read-only bind of its parent's tree (committed trees never change, so a
 * view needs no copy), or of its own empty tree without parent. {@link #usage} reports the full
 * tree, not a difference.
 */
public final class CopySnapshotter extends DirectorySnapshotter {
    /** @param dir the directory of this driver's snapshots (the engine uses ROOT/snapshots/copy) */
    public CopySnapshotter(Path dir, Database db) {
        this(dir, db, new Mounter());
    }

    /** @param mounter its {@link CommandRunner} runs cp; it unmounts what a crash left mounted */
    public CopySnapshotter(Path dir, Database db, Mounter mounter) {
        super("copy", dir, db, mounter);
    }

    @Override
    void populate(Path snapshotDir, Kind kind, List<Long> parents) throws IOException {
        Path fs = Files.createDirectory(snapshotDir.resolve("fs"));
        if (kind == Kind.ACTIVE && !parents.isEmpty()) {
            mounter.runner().run(copyInvocation(fs(parents.getFirst()), fs));
        }
    }

    /** cp of the whole tree under {@code from} into the existing directory {@code to}, root attributes included. Pure. */
    static CommandRunner.Invocation copyInvocation(Path from, Path to) {
        // "from/." copies the directory's contents and, with -a, the directory's own mode and owner
        // onto "to"; -T keeps cp from ever creating "to/fs".
        return CommandRunner.Invocation.of("cp", "-a", "--reflink=auto", "-T", from + "/.", to.toString());
    }

    @Override
    List<Mount> mountsFor(Kind kind, List<Long> chain) {
        long self = chain.getFirst();
        return switch (kind) {
            case ACTIVE -> List.of(bind(self, "rw"));
            case COMMITTED -> List.of(bind(self, "ro"));
            case VIEW -> List.of(bind(chain.size() > 1 ? chain.get(1) : self, "ro"));
        };
    }

    private Mount bind(long id, String mode) {
        return new Mount(null, "bind", fs(id).toString(), List.of("rbind", mode));
    }

    @Override
    public boolean whiteoutsAsDevices() {
        return false;
    }
}
