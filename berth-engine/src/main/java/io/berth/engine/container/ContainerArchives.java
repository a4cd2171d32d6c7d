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
 *
 * <p>Paths under the container's mounts (bind mounts and volumes, /etc/hosts, /etc/resolv.conf,
 * /etc/hostname) resolve as the container sees them, as Docker's do ({@link CopyView}): for a running
 * container the walk starts at {@code /proc/PID/root}, its root in its own mount namespace, so the
 * kernel crosses exactly the container's mounts while RESOLVE_IN_ROOT still clamps every symlink and
 * {@code ..} at that root; special file systems there (proc, sysfs, devpts, mqueue, cgroup) are
 * archived as empty directories. For a stopped container the image's symlinks are followed up to
 * the first bind-mount destination reached, the longest destination prefixing the result wins and the
 * rest resolves, with the same flags, under that mount's source as root (a symlink inside a bind
 * source therefore stays inside the source).
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

    /**
     * Where a container's paths resolve. {@code pid} is the running container's init (host pid
     * namespace), 0 when it is not running; {@code mounts} are its spec's mounts (the ones it runs
     * with, or would start with), used when there is no live process to ask.
     */
    record CopyView(Path rootfs, int pid, List<io.berth.spec.runtime.Mount> mounts) {
        CopyView {
            mounts = mounts == null ? List.of() : List.copyOf(mounts);
        }

        static CopyView rootfsOnly(Path rootfs) { return new CopyView(rootfs, 0, List.of()); }
    }

    /** File systems of a live container that hold no copyable content (and may be endless, like /proc). */
    private static final java.util.Set<String> SPECIAL = java.util.Set.of("proc", "sysfs", "devpts", "mqueue", "cgroup", "cgroup2");

    /**
     * A resolution start: the descriptor to resolve from and the path relative to it. {@code opaque}
     * are the mount ids of special file systems not to descend into: ids, not paths, because a path
     * reached through a symlink ("/up/." with up -> /) would not be recognised by its name.
     */
    private record Start(Fd root, String rel, java.util.Set<Long> opaque, boolean readOnly) implements AutoCloseable {
        Start(Fd root, String rel, java.util.Set<Long> opaque) { this(root, rel, opaque, false); }

        @Override public void close() { root.close(); }
    }

    PathStat stat(Path rootfs, String ref, String path) { return stat(CopyView.rootfsOnly(rootfs), ref, path); }

    ArchiveRead read(Path rootfs, String ref, String path) { return read(CopyView.rootfsOnly(rootfs), ref, path); }

    void extract(Path rootfs, String ref, String path, InputStream tar) { extract(CopyView.rootfsOnly(rootfs), ref, path, tar); }

    PathStat stat(CopyView view, String ref, String path) {
        Target t = Target.of(path);
        try (Start st = start(view, t); Fd fd = open(st.root(), st.rel(), t)) {
            return stat(fd, t.name());
        } catch (ErrnoException e) {
            throw failure("reading", ref, path, e);
        }
    }

    /** Writes the tar to a temporary file (deleted when the stream is closed) so the rootfs can be released at once. */
    ArchiveRead read(CopyView view, String ref, String path) {
        Target t = Target.of(path);
        Path tmp = null;
        try (Start start = start(view, t); Fd fd = open(start.root(), start.rel(), t)) {
            PathStat st = stat(fd, t.name());
            tmp = Files.createTempFile("berth-cp-", ".tar");
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp), 128 * 1024);
                 TarArchiveOutputStream tar = new TarArchiveOutputStream(os)) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                Stat s = Syscalls.fstat(fd.fd());
                Walk w = new Walk(tar, start.opaque());
                if (t.contentOnly() && s.isDirectory()) { if (w.descends(fd)) w.children(fd, ""); }
                else w.walk(fd, s, t.name());
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
    void extract(CopyView view, String ref, String path, InputStream tar) {
        Target t = Target.of(path);
        try (Start st = start(view, t);
             Fd dir = Syscalls.openat2(st.root().fd(), st.rel(), O_PATH | O_CLOEXEC, 0, IN_ROOT)) {
            if (!Syscalls.fstat(dir.fd()).isDirectory()) {
                throw BerthException.invalid("extraction point is not a directory: %s in container %s", path, ref);
            }
            if (st.readOnly()) throw readOnly(path, ref);
            // Our own descriptor, reopened through /proc: the applier's root is exactly the resolved directory.
            applier.apply(tar, Path.of("/proc/self/fd/" + dir.fd()), WhiteoutMode.LITERAL);
        } catch (ErrnoException e) {
            if (e.is(EROFS)) throw readOnly(path, ref);
            throw failure("writing", ref, path, e);
        } catch (IOException e) {
            for (Throwable c = e; c != null; c = c.getCause()) if (c instanceof ErrnoException x && x.is(EROFS)) throw readOnly(path, ref);
            throw new BerthException(BerthException.Kind.UNAVAILABLE, "copying to " + path + " in container " + ref + ": " + e.getMessage(), e);
        }
    }

    private static final int EROFS = 30;

    /** Docker answers 400 for a copy into a read-only mount (or a --read-only root file system). */
    private static BerthException readOnly(String path, String ref) {
        return BerthException.invalid("copying to %s in container %s: mounted volume is marked read-only", path, ref);
    }

    // ---- reading ------------------------------------------------------------------------------------

    private static Fd openRoot(Path rootfs) throws ErrnoException {
        return Syscalls.open(rootfs.toString(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    }

    private static Fd open(Fd root, String rel, Target t) throws ErrnoException {
        int flags = O_PATH | O_CLOEXEC | (t.follow() ? 0 : O_NOFOLLOW);
        return Syscalls.openat2(root.fd(), rel, flags, 0, IN_ROOT);
    }

    /** Where {@code t} starts resolving: the live container's root, else the bind mount holding it, else the rootfs. */
    private static Start start(CopyView v, Target t) throws ErrnoException {
        if (v.pid() > 0) {
            Fd live = liveRoot(v.pid());
            if (live != null) {
                java.util.Set<Long> opaque = new java.util.HashSet<>();
                for (var m : v.mounts()) {
                    if (m.type() == null || !SPECIAL.contains(m.type()) || m.destination() == null) continue;
                    String rel = normalize(m.destination()).substring(1);
                    try (Fd mp = Syscalls.openat2(live.fd(), rel.isEmpty() ? "." : rel, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0, IN_ROOT)) {
                        long id = mountId(mp);
                        if (id >= 0) opaque.add(id);
                    } catch (ErrnoException e) {
                        // not mounted in this container after all
                    }
                }
                return new Start(live, t.rel(), java.util.Set.copyOf(opaque));
            }
        }
        String want = "/" + (t.rel().equals(".") ? "" : t.rel());
        java.util.Set<String> dests = new java.util.HashSet<>();
        for (var m : v.mounts()) if (isBind(m) && m.source() != null && m.destination() != null) dests.add(normalize(m.destination()));
        if (!dests.isEmpty()) {
            try (Fd rootfs = openRoot(v.rootfs())) {
                String scoped = intoMount(rootfs, t, dests);
                if (scoped != null) want = scoped;
            }
        }
        io.berth.spec.runtime.Mount best = null;
        String bestDest = null;
        for (var m : v.mounts()) {
            if (!isBind(m) || m.source() == null || m.destination() == null) continue;
            String d = normalize(m.destination());
            boolean under = d.equals("/") || want.equals(d) || want.startsWith(d + "/");
            if (under && (bestDest == null || d.length() > bestDest.length())) { best = m; bestDest = d; }
        }
        if (best == null) return new Start(openRoot(v.rootfs()), t.rel(), java.util.Set.of());
        String rest = want.substring(bestDest.length()).replaceFirst("^/+", "");
        Path source;
        try {
            // The source is the host path the container was (or will be) given: trusted, set by whoever
            // created the container; its symlinks were followed by the mount too.
            source = Path.of(best.source()).toRealPath();
        } catch (IOException e) {
            throw new ErrnoException("resolving mount source", best.source(), ENOENT);
        }
        // The host side of a ":ro" bind is writable; the container's view of it is not, and cp follows the container.
        boolean ro = best.options() != null && best.options().contains("ro");
        if (Files.isDirectory(source)) return new Start(openRoot(source), rest.isEmpty() ? "." : rest, java.util.Set.of(), ro);
        // A file mount (/etc/hosts, -v /h/app.conf:/app.conf): only the destination itself is in it.
        if (!rest.isEmpty()) throw new ErrnoException("resolving", t.rel(), ENOTDIR);
        return new Start(openRoot(source.getParent()), source.getFileName().toString(), java.util.Set.of(), ro);
    }

    /**
     * Follows {@code t}'s symlinks in the image's tree the way the kernel would inside the container
     * (absolute targets from the container's root, {@code ..} clamped there, at most 40 links) until
     * the walk reaches a bind-mount destination; returns that container path with the unresolved rest
     * appended, or null when the path never enters a mount (then the rootfs resolves it as before).
     * Only names are read from the image (each looked up with O_NOFOLLOW under RESOLVE_IN_ROOT), so a
     * link can steer the walk to another container path, never out of the container.
     */
    private static String intoMount(Fd rootfs, Target t, java.util.Set<String> dests) throws ErrnoException {
        java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>(components(t.rel()));
        List<String> cur = new ArrayList<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String c = todo.pollFirst();
            if (c.equals("..")) {
                if (!cur.isEmpty()) cur.removeLast();
                continue;
            }
            cur.add(c);
            String p = "/" + String.join("/", cur);
            if (dests.contains(p)) return todo.isEmpty() ? p : p + "/" + String.join("/", todo);
            if (todo.isEmpty() && !t.follow()) return null;
            try (Fd fd = Syscalls.openat2(rootfs.fd(), p.substring(1), O_PATH | O_NOFOLLOW | O_CLOEXEC, 0, IN_ROOT)) {
                if (!Syscalls.fstat(fd.fd()).isSymlink()) continue;
                if (++links > 40) throw new ErrnoException("resolving", t.rel(), ELOOP);
                String target = Syscalls.readlinkat(fd.fd(), "");
                cur.removeLast();
                if (target.startsWith("/")) cur.clear();
                List<String> tc = components(target);
                for (int i = tc.size() - 1; i >= 0; i--) todo.addFirst(tc.get(i));
            } catch (ErrnoException e) {
                if (e.is(ENOENT) || e.is(ENOTDIR)) return null; // missing in the image: the final open reports it
                throw e;
            }
        }
        return null;
    }

    private static List<String> components(String path) {
        List<String> out = new ArrayList<>();
        for (String c : path.split("/")) if (!c.isEmpty() && !c.equals(".")) out.add(c);
        return out;
    }

    /**
     * {@code /proc/PID/root} of a live container, or null when the process is gone. The pid directory
     * is opened first and "root" under it: should the pid be reused meanwhile, the old directory's
     * entries fail rather than lead into another process's root.
     */
    private static Fd liveRoot(int pid) throws ErrnoException {
        Fd proc;
        try {
            proc = Syscalls.open("/proc/" + pid, O_PATH | O_DIRECTORY | O_CLOEXEC);
        } catch (ErrnoException e) {
            if (e.is(ENOENT)) return null;
            throw e;
        }
        try (proc) {
            // openat without RESOLVE_NO_MAGICLINKS: following this one magic link is the point.
            return Syscalls.openat(proc.fd(), "root", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
        } catch (ErrnoException e) {
            if (e.is(ENOENT) || e.is(ESRCH)) return null; // exited: the stopped-container rules apply
            throw e;
        }
    }

    private static final int ESRCH = 3;

    /** The mount id of the mount {@code fd} lies on, from /proc/self/fdinfo (kernel 3.15+); -1 when unreadable. */
    static long mountId(Fd fd) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd.fd())))
                if (l.startsWith("mnt_id:")) return Long.parseLong(l.substring(7).trim());
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        return -1;
    }

    private static boolean isBind(io.berth.spec.runtime.Mount m) {
        return "bind".equals(m.type()) || (m.options() != null && (m.options().contains("bind") || m.options().contains("rbind")));
    }

    private static String normalize(String containerPath) {
        String n = Path.of("/").resolve(containerPath).normalize().toString();
        return n.length() > 1 && n.endsWith("/") ? n.substring(0, n.length() - 1) : n;
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

    /** One archive walk; directories on the {@code opaque} mounts are archived without their content. */
    private record Walk(TarArchiveOutputStream tar, java.util.Set<Long> opaque) {
        /** Archives the node open (O_PATH, not followed) as {@code fd} under {@code name}. */
        void walk(Fd fd, Stat s, String name) throws IOException {
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
            // A special file system in a live container (/proc, /sys, ...) is shown as its mount point only.
            if (s.isDirectory() && descends(fd)) children(fd, name + "/");
        }

        boolean descends(Fd dir) { return opaque.isEmpty() || !opaque.contains(mountId(dir)); }

        void children(Fd dirPath, String prefix) throws IOException {
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
                        walk(child, Syscalls.fstat(child.fd()), prefix + c.nameString());
                    }
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
