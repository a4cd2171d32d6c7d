package io.berth.engine.container;

import io.berth.api.BerthException;
import io.berth.api.container.ArchiveRead;
import io.berth.api.container.PathStat;
import io.berth.engine.archive.LayerApplier;
import io.berth.engine.archive.SafeLayerApplier;
import io.berth.engine.archive.WhiteoutMode;
import io.berth.engine.sys.ErrnoException;
import io.berth.engine.sys.Fd;
import io.berth.engine.sys.Stat;
import io.berth.engine.sys.Syscalls;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.berth.engine.sys.Syscalls.*;

/**
 * docker cp on a container's root file system (the mounted snapshot). Every path is resolved by the
 * kernel with the root as "/" (openat2 RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), so absolute
 * symlinks and {@code ..} planted by the container stay inside it. Reading then walks the tree by
 * descriptor, each child opened O_PATH | O_NOFOLLOW under its parent's descriptor: a symlink swapped
 * in while we walk is archived as a symlink, never followed. Writing goes through
 * {@link SafeLayerApplier} rooted at the resolved destination directory, with whiteout names taken
 * literally ({@link WhiteoutMode#LITERAL}), since docker cp does not interpret them.
 */
final class ContainerArchives {
    private static final long IN_ROOT = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;

    private final LayerApplier applier = new SafeLayerApplier();

    /** A container path split into what to open (relative, "." for the root) and how. */
    private record Target(String rel, String name, boolean follow, boolean contentOnly) {
        static Target of(String path) {
            if (path == null || path.isEmpty()) throw BerthException.invalid("copying: path is required");
            if (path.indexOf('\0') >= 0) throw BerthException.invalid("copying: path contains a NUL byte");
            boolean contentOnly = path.endsWith("/.") || path.equals(".");
            // A trailing "/" or "/." asks for what a symlink points to, as in Docker.
            boolean follow = path.endsWith("/") || contentOnly;
            List<String> parts = new ArrayList<>();
            for (String c : path.split("/")) {
                if (c.isEmpty() || c.equals(".")) continue;
                if (c.equals("..")) { if (!parts.isEmpty()) parts.removeLast(); } else parts.add(c);
            }
            String rel = parts.isEmpty() ? "." : String.join("/", parts);
            String name = parts.isEmpty() ? "/" : parts.getLast();
            return new Target(rel, name, follow || parts.isEmpty(), contentOnly || parts.isEmpty());
        }
    }

    PathStat stat(Path rootfs, String ref, String path) {
        Target t = Target.of(path);
        try (Fd root = openRoot(rootfs); Fd fd = open(root, t, ref, path)) {
            return stat(fd, t.name());
        } catch (ErrnoException e) {
            throw failure("reading", ref, path, e);
        }
    }

    /** Writes the tar to a temporary file (deleted when the stream is closed) so the rootfs can be released at once. */
    ArchiveRead read(Path rootfs, String ref, String path) {
        Target t = Target.of(path);
        Path tmp = null;
        try (Fd root = openRoot(rootfs); Fd fd = open(root, t, ref, path)) {
            PathStat st = stat(fd, t.name());
            tmp = Files.createTempFile("berth-cp-", ".tar");
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp), 128 * 1024);
                 TarArchiveOutputStream tar = new TarArchiveOutputStream(os)) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                Stat s = Syscalls.fstat(fd.fd());
                if (t.contentOnly() && s.isDirectory()) children(fd, "", tar);
                else walk(fd, s, t.name(), tar);
                tar.finish();
            }
            return new ArchiveRead(st, Files.newInputStream(tmp, StandardOpenOption.DELETE_ON_CLOSE));
        } catch (ErrnoException e) {
            deleteQuietly(tmp);
            throw failure("reading", ref, path, e);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new BerthException(BerthException.Kind.UNAVAILABLE, "copying " + path + " from container " + ref + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    /** Extracts into the directory {@code path}; NOT_FOUND when it is missing, INVALID_ARGUMENT when not a directory. */
    void extract(Path rootfs, String ref, String path, InputStream tar) {
        Target t = Target.of(path);
        try (Fd root = openRoot(rootfs);
             Fd dir = Syscalls.openat2(root.fd(), t.rel(), O_PATH | O_CLOEXEC, 0, IN_ROOT)) {
            if (!Syscalls.fstat(dir.fd()).isDirectory()) {
                throw BerthException.invalid("extraction point is not a directory: %s in container %s", path, ref);
            }
            // Our own descriptor, reopened through /proc: the applier's root is exactly the resolved directory.
            applier.apply(tar, Path.of("/proc/self/fd/" + dir.fd()), WhiteoutMode.LITERAL);
        } catch (ErrnoException e) {
            throw failure("writing", ref, path, e);
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.UNAVAILABLE, "copying to " + path + " in container " + ref + ": " + e.getMessage(), e);
        }
    }

    // ---- reading ------------------------------------------------------------------------------------

    private static Fd openRoot(Path rootfs) throws ErrnoException {
        return Syscalls.open(rootfs.toString(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    }

    private static Fd open(Fd root, Target t, String ref, String path) throws ErrnoException {
        int flags = O_PATH | O_CLOEXEC | (t.follow() ? 0 : O_NOFOLLOW);
        return Syscalls.openat2(root.fd(), t.rel(), flags, 0, IN_ROOT);
    }

    private static PathStat stat(Fd fd, String name) throws ErrnoException {
        Stat s = Syscalls.fstat(fd.fd());
        long mode = s.permissions() & 0777;
        if ((s.permissions() & 04000) != 0) mode |= 1L << 23; // Go ModeSetuid
        if ((s.permissions() & 02000) != 0) mode |= 1L << 22; // ModeSetgid
        if ((s.permissions() & 01000) != 0) mode |= 1L << 20; // ModeSticky
        String link = "";
        if (s.isDirectory()) mode |= PathStat.DIR;
        else if (s.isSymlink()) {
            mode |= PathStat.SYMLINK;
            link = Syscalls.readlinkat(fd.fd(), "");
        }
        return new PathStat(name, s.size(), mode, Instant.ofEpochSecond(s.mtimeSec(), s.mtimeNsec()), link);
    }

    /** Archives the node open (O_PATH, not followed) as {@code fd} under {@code name}. */
    private void walk(Fd fd, Stat s, String name, TarArchiveOutputStream tar) throws IOException {
        TarArchiveEntry e;
        switch (s.type()) {
            case S_IFDIR -> e = new TarArchiveEntry(name + "/", TarConstants.LF_DIR);
            case S_IFREG -> { e = new TarArchiveEntry(name, TarConstants.LF_NORMAL); e.setSize(s.size()); }
            case S_IFLNK -> { e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK); e.setLinkName(Syscalls.readlinkat(fd.fd(), "")); }
            case S_IFCHR, S_IFBLK -> {
                e = new TarArchiveEntry(name, s.type() == S_IFCHR ? TarConstants.LF_CHR : TarConstants.LF_BLK);
                e.setDevMajor(s.rdevMajor());
                e.setDevMinor(s.rdevMinor());
            }
            case S_IFIFO -> e = new TarArchiveEntry(name, TarConstants.LF_FIFO);
            default -> { return; } // sockets cannot be archived (Docker skips them too)
        }
        e.setMode(s.permissions());
        e.setUserId(Integer.toUnsignedLong(s.uid()));
        e.setGroupId(Integer.toUnsignedLong(s.gid()));
        e.setLastModifiedTime(FileTime.from(Instant.ofEpochSecond(s.mtimeSec(), s.mtimeNsec())));
        tar.putArchiveEntry(e);
        if (s.isRegular()) {
            // Reopening our O_PATH descriptor through /proc gives the very inode we stat-ed, whatever the path now is.
            try (InputStream in = Files.newInputStream(Path.of("/proc/self/fd/" + fd.fd()))) {
                long left = s.size();
                byte[] buf = new byte[64 * 1024];
                while (left > 0) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                    if (n < 0) break;
                    tar.write(buf, 0, n);
                    left -= n;
                }
                // A file that shrank while we read: pad, the header promised s.size() bytes.
                while (left > 0) {
                    int n = (int) Math.min(buf.length, left);
                    java.util.Arrays.fill(buf, 0, n, (byte) 0);
                    tar.write(buf, 0, n);
                    left -= n;
                }
            }
        }
        tar.closeArchiveEntry();
        if (s.isDirectory()) children(fd, name + "/", tar);
    }

    private void children(Fd dirPath, String prefix, TarArchiveOutputStream tar) throws IOException {
        try (Fd dir = Syscalls.openat(dirPath.fd(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)) {
            for (Syscalls.DirEntry c : Syscalls.readDir(dir.fd())) {
                Fd child;
                try {
                    child = Syscalls.openat(dir.fd(), c.name(), O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
                } catch (ErrnoException x) {
                    if (x.is(ENOENT)) continue; // removed by the running container meanwhile
                    throw x;
                }
                try (child) {
                    walk(child, Syscalls.fstat(child.fd()), prefix + c.nameString(), tar);
                }
            }
        }
    }

    private static BerthException failure(String verb, String ref, String path, ErrnoException e) {
        if (e.is(ENOENT) || e.is(ENOTDIR)) return BerthException.notFound("Could not find the file %s in container %s", path, ref);
        if (e.is(ELOOP)) return BerthException.invalid("%s %s in container %s: too many levels of symbolic links", verb, path, ref);
        return new BerthException(BerthException.Kind.UNAVAILABLE, verb + " " + path + " in container " + ref + ": " + e.getMessage(), e);
    }

    private static void deleteQuietly(Path p) {
        if (p == null) return;
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a temporary file; nothing else to do
        }
    }
}
