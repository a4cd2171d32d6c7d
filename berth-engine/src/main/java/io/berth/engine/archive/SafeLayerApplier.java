package io.berth.engine.archive;

import io.berth.api.BerthException;
import io.berth.engine.sys.ErrnoException;
import io.berth.engine.sys.Fd;
import io.berth.engine.sys.Stat;
import io.berth.engine.sys.Syscalls;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;

import static io.berth.engine.sys.Syscalls.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Applies a layer tar with every path resolved by the kernel inside the root: parent directories
 * are opened with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) relative to a descriptor of the
 * root, and the final component is then created, replaced or changed with a descriptor-relative call
 * that never follows it (O_NOFOLLOW, O_EXCL, AT_SYMLINK_NOFOLLOW, unlinkat). So a symlink planted
 * by this or an earlier layer, absolute or relative, resolves as it would inside the container, and
 * nothing outside the root can be written, chmod-ed, chown-ed or deleted.
 * On kernels without openat2 the same resolution is done in user space, one O_NOFOLLOW component
 * at a time ({@code walkInRoot}).
 *
 * <p>Entry names that climb out lexically ({@code ../x}, {@code a/../../x}) and hardlinks to
 * outside, to missing files or to directories are refused with INVALID_ARGUMENT naming the entry.
 * Absolute names are taken relative to the root, as Docker and containerd do.
 *
 * <p>Semantics follow Docker's: an entry replaces whatever is at its path unless both are
 * directories (then the directory is kept and its metadata updated); missing parents are created
 * 0755; ownership is numeric; the mode (with setuid/setgid/sticky) is set after chown because chown
 * clears setuid and file capabilities; directory times are set in a final pass, after their content.
 * Extended attributes come from PAX {@code SCHILY.xattr.*} (and libarchive's form); the
 * {@code trusted.overlay.*} namespace is never taken from a layer, since it steers overlayfs itself.
 *
 * <p>Whiteouts: see {@link WhiteoutMode}. In both modes a whiteout hides only what lower layers
 * had: an entry that this same layer has already written is kept (containerd's rule), and an entry
 * written after its whiteout simply replaces it. Meta entries {@code .wh..wh.*} other than the
 * opaque marker (aufs leftovers) are skipped.
 *
 * <p>One instance may be shared; each {@link #apply} call is independent and single-threaded.
 * The caller must be the only writer of {@code root} while a layer is applied.
 */
public final class SafeLayerApplier implements LayerApplier {
    private static final int BUFFER = 128 * 1024;
    private static final String WH_PREFIX = ".wh.";
    private static final String WH_META_PREFIX = ".wh..wh.";
    private static final String WH_OPAQUE = ".wh..wh..opq";
    private static final long IN_ROOT = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    private static final int DIR_CACHE_SIZE = 64;

    /** Whether the kernel has openat2 (Linux 5.6+, and not hidden by a seccomp filter); learnt on first use. */
    private static volatile boolean openat2Works = true;

    private final boolean walkInUserspace;

    public SafeLayerApplier() { this(false); }

    /**
     * @param walkInUserspace resolve paths with the descriptor-by-descriptor walk that is otherwise
     *                        only the fallback for kernels without openat2 (for tests of that walk)
     */
    SafeLayerApplier(boolean walkInUserspace) { this.walkInUserspace = walkInUserspace; }

    @Override
    public ApplyReport apply(InputStream tar, Path root, WhiteoutMode mode) throws IOException {
        Counting counted = new Counting(tar);
        Fd rootFd;
        try {
            rootFd = Syscalls.open(root.toAbsolutePath().toString(), O_PATH | O_DIRECTORY | O_CLOEXEC);
        } catch (ErrnoException e) {
            throw new IOException("applying layer: opening root " + root + ": " + e.getMessage(), e);
        }
        try (rootFd; Unpack unpack = new Unpack(rootFd, mode, walkInUserspace)) {
            PaxTarInputStream in = new PaxTarInputStream(new BufferedInputStream(counted, BUFFER));
            long entries = 0;
            for (;;) {
                TarArchiveEntry e;
                try {
                    e = in.getNextEntry();
                } catch (IllegalArgumentException bad) {
                    throw BerthException.invalid("applying layer: malformed tar header after %d entries: %s", entries, bad.getMessage());
                }
                if (e == null) break;
                unpack.entry(e, in);
                entries++;
            }
            unpack.finish();
            // Read to the real end: tar padding after the end marker still belongs to the layer's bytes.
            counted.transferTo(OutputStream.nullOutputStream());
            return new ApplyReport(counted.count, entries);
        }
    }

    /** The state of one apply call. */
    private static final class Unpack implements AutoCloseable {
        private final Dir root;
        private final WhiteoutMode mode;
        /** Resolved directories by cleaned path; valid until anything is removed (then all are dropped). */
        private final LinkedHashMap<String, Dir> dirs = new LinkedHashMap<>(DIR_CACHE_SIZE * 2, 0.75f, true);
        /** Descriptors dropped from the cache during an entry; closed when the entry is done. */
        private final List<Fd> retired = new ArrayList<>();
        /** Paths this layer has written, to tell its own entries from lower layers' (whiteouts). */
        private final NavigableSet<String> written = new TreeSet<>();
        /** Directory times, applied last so that creating their content does not disturb them. */
        private final LinkedHashMap<String, Times> dirTimes = new LinkedHashMap<>();
        private final Arena arena = Arena.ofConfined();
        private final MemorySegment nativeBuf = arena.allocate(BUFFER, 4096);
        private final byte[] heapBuf = new byte[BUFFER];
        private String entryName = "";

        // Who we are, to skip chown/chmod calls whose result creation already gives: a root-owned
        // 0644 file then costs open, write, futimens, close instead of six calls.
        private final int euid = Syscalls.geteuid(), egid = Syscalls.getegid(), umask = Syscalls.umask();

        private final boolean walkInUserspace;

        Unpack(Fd root, WhiteoutMode mode, boolean walkInUserspace) throws IOException {
            this.root = new Dir(root, isSetgid(root.fd()));
            this.mode = mode;
            this.walkInUserspace = walkInUserspace;
        }

        /**
         * A resolved directory. {@code setgid} matters because what is created in such a directory
         * inherits its group (and a new subdirectory its setgid bit), so creation alone does not
         * give the owner and mode the tar asks for.
         */
        private record Dir(Fd handle, boolean setgid) {
            int fd() { return handle.fd(); }
        }

        private static boolean isSetgid(int fd) throws ErrnoException {
            return (Syscalls.fstat(fd).mode() & 02000) != 0;
        }

        /** The mode to create with so that no fchmod is needed, or -1 when one is. */
        private int exactCreateMode(Dir parent, int perm) {
            boolean exact = umask >= 0 && !parent.setgid() && (perm & ~0777) == 0 && (perm & umask) == 0;
            return exact ? perm : -1;
        }

        /** Whether a node just created in {@code parent} already has the owner the tar asks for. */
        private boolean ownedAsCreated(Dir parent, int uid, int gid) {
            return uid == euid && gid == egid && !parent.setgid();
        }

        void entry(TarArchiveEntry e, PaxTarInputStream in) throws IOException {
            entryName = e.getName();
            try {
                String path = clean(e.getName(), "entry");
                if (path.isEmpty()) return; // the root itself: Docker and containerd leave it alone
                int slash = path.lastIndexOf('/');
                String parent = slash < 0 ? "" : path.substring(0, slash);
                String base = path.substring(slash + 1);
                boolean whiteouts = mode != WhiteoutMode.LITERAL; // docker cp: .wh. names are plain files
                if (whiteouts && isMeta(parent, base)) return;
                if (whiteouts && base.startsWith(WH_PREFIX)) {
                    whiteout(e, parent, base);
                    return;
                }
                byte type = e.getLinkFlag();
                boolean isDir = type == '5' || type == 'D' || (type == 0 && e.getName().endsWith("/")); // pre-POSIX dirs
                if (isDir) directory(e, in, path, parent, base);
                else switch (type) {
                    case '0', 0, '7', 'S' -> regular(e, in, path, parent, base);
                    case '2' -> symlink(e, in, path, parent, base);
                    case '1' -> hardlink(e, path, parent, base);
                    case '3', '4', '6' -> node(e, in, path, parent, base, type);
                    default -> throw invalid("unsupported tar entry type '%s'", (char) type);
                }
                written.add(path);
                if (!isDir) dirTimes.remove(path); // a later entry replaced the directory
            } catch (ErrnoException x) {
                BerthException refused = refusal(x);
                if (refused != null) throw refused;
                throw new IOException("applying layer: entry " + entryName + ": " + x.getMessage(), x);
            } catch (IllegalArgumentException x) { // a NUL byte in a name, from Syscalls
                throw invalid("%s", x.getMessage());
            } finally {
                for (Fd fd : retired) fd.close();
                retired.clear();
            }
        }

        // ---- entry types ----------------------------------------------------------------------------

        private void regular(TarArchiveEntry e, PaxTarInputStream in, String path, String parent, String base) throws IOException {
            Dir dir = dir(parent, true);
            int perm = e.getMode() & 07777, uid = uid(e), gid = gid(e);
            int createMode = exactCreateMode(dir, perm);
            int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
            try (Fd fd = createFile(dir.fd(), base, flags, createMode < 0 ? 0600 : createMode)) {
                copy(in, fd.fd());
                // Order matters: chown clears setuid/setgid and security.capability; writing clears setuid.
                if (!ownedAsCreated(dir, uid, gid)) Syscalls.fchown(fd.fd(), uid, gid);
                if (createMode < 0) Syscalls.fchmod(fd.fd(), perm);
                setXattrs(in, fd.fd(), null);
                Times t = Times.of(e);
                Syscalls.futimens(fd.fd(), t.aSec, t.aNsec, t.mSec, t.mNsec);
            }
        }

        private Fd createFile(int dir, String base, int flags, int mode) throws IOException {
            try {
                return Syscalls.openat(dir, base, flags, mode);
            } catch (ErrnoException x) {
                if (!x.is(EEXIST)) throw x;
                clear(dir, base);
                return Syscalls.openat(dir, base, flags, mode);
            }
        }

        private void directory(TarArchiveEntry e, PaxTarInputStream in, String path, String parent, String base) throws IOException {
            Dir dir = dir(parent, true);
            int perm = e.getMode() & 07777, uid = uid(e), gid = gid(e);
            int createMode = exactCreateMode(dir, perm);
            boolean created = true;
            try {
                Syscalls.mkdirat(dir.fd(), base, createMode < 0 ? 0700 : createMode);
            } catch (ErrnoException x) {
                if (!x.is(EEXIST)) throw x;
                // Keep an existing directory (its content merges); replace anything else, symlinks included.
                if (Syscalls.statx(dir.fd(), base, AT_SYMLINK_NOFOLLOW).isDirectory()) {
                    created = false;
                } else {
                    clear(dir.fd(), base);
                    Syscalls.mkdirat(dir.fd(), base, createMode < 0 ? 0700 : createMode);
                }
            }
            Fd fd = Syscalls.openat(dir.fd(), base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
            try {
                if (!created || !ownedAsCreated(dir, uid, gid)) Syscalls.fchown(fd.fd(), uid, gid);
                if (!created || createMode < 0) Syscalls.fchmod(fd.fd(), perm);
                setXattrs(in, fd.fd(), null);
            } catch (IOException | RuntimeException x) {
                fd.close();
                throw x;
            }
            cache(path, new Dir(fd, (perm & 02000) != 0)); // its children usually follow
            dirTimes.put(path, Times.of(e));
        }

        private void symlink(TarArchiveEntry e, PaxTarInputStream in, String path, String parent, String base) throws IOException {
            String target = e.getLinkName();
            if (target == null || target.isEmpty()) throw invalid("symlink has an empty target");
            Dir parentDir = dir(parent, true);
            int dir = parentDir.fd();
            try {
                Syscalls.symlinkat(target, dir, base);
            } catch (ErrnoException x) {
                if (!x.is(EEXIST)) throw x;
                clear(dir, base);
                Syscalls.symlinkat(target, dir, base);
            }
            if (!ownedAsCreated(parentDir, uid(e), gid(e))) Syscalls.fchownat(dir, base, uid(e), gid(e), AT_SYMLINK_NOFOLLOW);
            setXattrs(in, -1, procPath(dir, base));
            Times t = Times.of(e);
            Syscalls.utimensat(dir, base, t.aSec, t.aNsec, t.mSec, t.mNsec, AT_SYMLINK_NOFOLLOW);
        }

        private void hardlink(TarArchiveEntry e, String path, String parent, String base) throws IOException {
            String target = clean(e.getLinkName(), "hardlink target");
            if (target.isEmpty()) throw invalid("hardlink to the root directory");
            if (target.equals(path)) return; // a link to itself: nothing to do
            int tslash = target.lastIndexOf('/');
            String tparent = tslash < 0 ? "" : target.substring(0, tslash);
            String tbase = target.substring(tslash + 1);
            int tdir;
            Stat st;
            try {
                tdir = dir(tparent, false).fd();
                st = Syscalls.statx(tdir, tbase, AT_SYMLINK_NOFOLLOW);
            } catch (ErrnoException x) {
                if (x.is(ENOENT) || x.is(ENOTDIR)) throw invalid("hardlink target %s does not exist in the layer root", target);
                throw x;
            }
            if (st.isDirectory()) throw invalid("hardlink target %s is a directory", target);
            int dir = dir(parent, true).fd();
            try {
                Syscalls.linkat(tdir, tbase, dir, base, 0); // flags 0: a symlink target is linked, not followed
            } catch (ErrnoException x) {
                if (!x.is(EEXIST)) throw x;
                clear(dir, base);
                try {
                    Syscalls.linkat(tdir, tbase, dir, base, 0);
                } catch (ErrnoException y) {
                    if (y.is(ENOENT)) throw invalid("hardlink target %s was removed by replacing %s", target, path);
                    throw y;
                }
            }
        }

        private void node(TarArchiveEntry e, PaxTarInputStream in, String path, String parent, String base, byte type) throws IOException {
            int fmt = switch (type) { case '3' -> S_IFCHR; case '4' -> S_IFBLK; default -> S_IFIFO; };
            long dev = type == '6' ? 0 : Syscalls.makedev(e.getDevMajor(), e.getDevMinor());
            int dir = dir(parent, true).fd();
            try {
                Syscalls.mknodat(dir, base, fmt | 0600, dev);
            } catch (ErrnoException x) {
                if (!x.is(EEXIST)) throw x;
                clear(dir, base);
                Syscalls.mknodat(dir, base, fmt | 0600, dev);
            }
            Syscalls.fchownat(dir, base, uid(e), gid(e), AT_SYMLINK_NOFOLLOW);
            // Opening a device or fifo to fchmod it could block or have side effects; fchmodat with
            // AT_SYMLINK_NOFOLLOW changes the node we just made and refuses a symlink.
            Syscalls.fchmodat(dir, base, e.getMode() & 07777, AT_SYMLINK_NOFOLLOW);
            setXattrs(in, -1, procPath(dir, base));
            Times t = Times.of(e);
            Syscalls.utimensat(dir, base, t.aSec, t.aNsec, t.mSec, t.mNsec, AT_SYMLINK_NOFOLLOW);
        }

        // ---- whiteouts --------------------------------------------------------------------------------

        private void whiteout(TarArchiveEntry e, String parent, String base) throws IOException {
            if (base.equals(WH_OPAQUE)) {
                if (mode == WhiteoutMode.OVERLAY) {
                    int dir = dir(parent, true).fd();
                    try (Fd fd = Syscalls.openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)) {
                        Syscalls.fsetxattr(fd.fd(), "trusted.overlay.opaque", new byte[]{'y'}, 0);
                    }
                } else {
                    Dir dir = existingDir(parent);
                    if (dir == null) return;
                    try (Fd fd = Syscalls.openat(dir.fd(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)) {
                        removeLowerChildren(fd.fd(), parent);
                    }
                }
                return;
            }
            String name = base.substring(WH_PREFIX.length());
            if (name.isEmpty() || name.equals(".") || name.equals("..")) throw invalid("whiteout names no file");
            String path = join(parent, name);
            if (mode == WhiteoutMode.OVERLAY) {
                if (written.contains(path)) return; // this layer's own entry stays; it already hides the lower one
                int dir = dir(parent, true).fd();
                try {
                    Syscalls.mknodat(dir, name, S_IFCHR, 0);
                } catch (ErrnoException x) {
                    if (!x.is(EEXIST)) throw x;
                    clear(dir, name);
                    Syscalls.mknodat(dir, name, S_IFCHR, 0);
                }
                Syscalls.fchownat(dir, name, uid(e), gid(e), AT_SYMLINK_NOFOLLOW);
            } else {
                Dir dir = existingDir(parent);
                if (dir != null) removeLower(dir.fd(), name, path);
            }
        }

        /** Removes {@code name} under {@code dir} except whatever of it this layer wrote. */
        private void removeLower(int dir, String name, String path) throws IOException {
            boolean mine = written.contains(path);
            if (!mine && !hasWrittenBelow(path)) {
                clearIfPresent(dir, name.getBytes(StandardCharsets.UTF_8));
                return;
            }
            Stat st;
            try {
                st = Syscalls.statx(dir, name, AT_SYMLINK_NOFOLLOW);
            } catch (ErrnoException x) {
                if (x.is(ENOENT)) return;
                throw x;
            }
            if (!st.isDirectory()) return;
            try (Fd fd = Syscalls.openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0)) {
                removeLowerChildren(fd.fd(), path);
            }
        }

        private void removeLowerChildren(int dir, String dirPath) throws IOException {
            for (Syscalls.DirEntry child : Syscalls.readDir(dir)) {
                String childPath = join(dirPath, child.nameString());
                if (!written.contains(childPath) && !hasWrittenBelow(childPath)) {
                    clearIfPresent(dir, child.name());
                } else if (child.type() == DT_DIR || child.type() == DT_UNKNOWN) {
                    removeLower(dir, child.nameString(), childPath);
                }
            }
        }

        private boolean hasWrittenBelow(String path) {
            String prefix = path.isEmpty() ? "" : path + "/";
            String next = written.ceiling(prefix);
            return next != null && next.startsWith(prefix) && !next.equals(path);
        }

        // ---- resolution --------------------------------------------------------------------------------

        /**
         * A descriptor of directory {@code path} (cleaned, relative), resolved inside the root. The
         * descriptor is borrowed: valid at least until the current entry is done. With {@code create},
         * missing directories are made 0755 (as Docker does for parents a tar leaves out).
         */
        private Dir dir(String path, boolean create) throws IOException {
            if (path.isEmpty()) return root;
            Dir cached = dirs.get(path);
            if (cached != null) return cached;
            Dir dir;
            try {
                Fd fd = resolve(path);
                try {
                    dir = new Dir(fd, isSetgid(fd.fd()));
                } catch (ErrnoException x) {
                    fd.close();
                    throw x;
                }
            } catch (ErrnoException x) {
                if (!x.is(ENOENT) || !create) throw x;
                dir = new Dir(mkdirs(path), false);
            }
            cache(path, dir);
            return dir;
        }

        /** Opens directory {@code path} with the root as "/", following symlinks only inside it. */
        private Fd resolve(String path) throws ErrnoException {
            if (!walkInUserspace && openat2Works) {
                try {
                    return Syscalls.openat2(root.fd(), path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, IN_ROOT);
                } catch (ErrnoException x) {
                    if (!x.is(ENOSYS)) throw x;
                    openat2Works = false;
                }
            }
            return walkInRoot(path);
        }

        /**
         * What openat2(RESOLVE_IN_ROOT) does, done one component at a time for kernels without it:
         * each component is opened O_PATH|O_NOFOLLOW under the directory before it, so the kernel
         * never follows a link itself; a symlink's target is read and walked from the root (absolute)
         * or from where it sits (relative), and ".." never climbs above the root. Magic /proc links
         * are read as plain text and so lead nowhere. Correct while nothing else changes the tree.
         */
        private Fd walkInRoot(String path) throws ErrnoException {
            ArrayDeque<Fd> stack = new ArrayDeque<>(); // opened directories below the root, innermost last
            ArrayDeque<String> todo = new ArrayDeque<>(Arrays.asList(path.split("/")));
            int links = 0;
            try {
                while (!todo.isEmpty()) {
                    String c = todo.pollFirst();
                    if (c.isEmpty() || c.equals(".")) continue;
                    if (c.equals("..")) {
                        if (!stack.isEmpty()) stack.pollLast().close();
                        continue;
                    }
                    int current = stack.isEmpty() ? root.fd() : stack.peekLast().fd();
                    Fd next = Syscalls.openat(current, c, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
                    Stat st;
                    try {
                        st = Syscalls.fstat(next.fd());
                        if (st.isSymlink()) {
                            if (++links > 40) throw new ErrnoException("resolving", path, ELOOP);
                            String target = Syscalls.readlinkat(next.fd(), "");
                            if (target.startsWith("/")) while (!stack.isEmpty()) stack.pollLast().close();
                            String[] parts = target.split("/");
                            for (int i = parts.length - 1; i >= 0; i--) todo.addFirst(parts[i]);
                            next.close();
                            continue;
                        }
                        if (!st.isDirectory()) throw new ErrnoException("resolving", path, ENOTDIR);
                    } catch (ErrnoException x) {
                        next.close();
                        throw x;
                    }
                    stack.addLast(next);
                }
                return stack.isEmpty() ? Syscalls.openat(root.fd(), ".", O_PATH | O_DIRECTORY | O_CLOEXEC, 0) : stack.pollLast();
            } finally {
                for (Fd fd : stack) fd.close();
            }
        }

        /** Like {@link #dir} without creating; null when the directory does not exist. */
        private Dir existingDir(String path) throws IOException {
            try {
                return dir(path, false);
            } catch (ErrnoException x) {
                if (x.is(ENOENT) || x.is(ENOTDIR)) return null;
                throw x;
            }
        }

        /** Creates the missing directories of {@code path} one component at a time, each under its resolved parent. */
        private Fd mkdirs(String path) throws IOException {
            Fd current = null;
            int end = -1;
            try {
                do {
                    int start = end + 1;
                    end = path.indexOf('/', start);
                    if (end < 0) end = path.length();
                    String prefix = path.substring(0, end);
                    String component = path.substring(start, end);
                    Fd next;
                    try {
                        next = resolve(prefix);
                    } catch (ErrnoException x) {
                        if (!x.is(ENOENT)) throw x;
                        int parent = current == null ? root.fd() : current.fd();
                        try {
                            Syscalls.mkdirat(parent, component, 0755);
                        } catch (ErrnoException y) {
                            // Something is there yet does not resolve: a dangling symlink. Creating its
                            // target is guesswork (and moby fails here too), so refuse clearly.
                            if (y.is(EEXIST)) throw invalid("parent %s is a symlink to a missing directory", prefix);
                            throw y;
                        }
                        next = Syscalls.openat(parent, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
                        Syscalls.fchmod(next.fd(), 0755); // independent of the process umask
                    }
                    if (current != null) current.close();
                    current = next;
                } while (end < path.length());
                return current;
            } catch (IOException | RuntimeException x) {
                if (current != null) current.close();
                throw x;
            }
        }

        private void cache(String path, Dir dir) {
            Dir old = dirs.put(path, dir);
            if (old != null) retired.add(old.handle());
            if (dirs.size() > DIR_CACHE_SIZE) {
                Iterator<Map.Entry<String, Dir>> eldest = dirs.entrySet().iterator();
                retired.add(eldest.next().getValue().handle());
                eldest.remove();
            }
        }

        /** Called after any removal: a cached path may now resolve elsewhere. */
        private void invalidate() {
            for (Dir d : dirs.values()) retired.add(d.handle());
            dirs.clear();
        }

        // ---- removal ------------------------------------------------------------------------------------

        /** Makes room at {@code dir/name}: removes what is there, a directory with all its content. */
        private void clear(int dir, String name) throws IOException {
            clearIfPresent(dir, name.getBytes(StandardCharsets.UTF_8));
        }

        private void clearIfPresent(int dir, byte[] name) throws IOException {
            invalidate();
            try {
                Syscalls.unlinkat(dir, name, 0); // never follows; EISDIR for a real directory
            } catch (ErrnoException x) {
                if (x.is(ENOENT)) return;
                if (!x.is(EISDIR)) throw x;
                removeTree(dir, name);
            }
        }

        private static void removeTree(int dir, byte[] name) throws IOException {
            try (Fd fd = Syscalls.openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0)) {
                for (Syscalls.DirEntry child : Syscalls.readDir(fd.fd())) {
                    if (child.type() == DT_DIR) {
                        removeTree(fd.fd(), child.name());
                        continue;
                    }
                    try {
                        Syscalls.unlinkat(fd.fd(), child.name(), 0);
                    } catch (ErrnoException x) {
                        if (!x.is(EISDIR)) throw x;
                        removeTree(fd.fd(), child.name());
                    }
                }
            }
            Syscalls.unlinkat(dir, name, AT_REMOVEDIR);
        }

        // ---- metadata and data ------------------------------------------------------------------------

        private void copy(InputStream in, int fd) throws IOException {
            int n;
            while ((n = in.readNBytes(heapBuf, 0, BUFFER)) > 0) {
                MemorySegment.copy(heapBuf, 0, nativeBuf, JAVA_BYTE, 0, n);
                Syscalls.writeFully(fd, nativeBuf, n);
            }
        }

        /** On {@code fd} when it is >= 0; otherwise by path without following the final component. */
        private void setXattrs(PaxTarInputStream in, int fd, String path) throws IOException {
            for (Map.Entry<String, byte[]> x : in.xattrs().entrySet()) {
                String name = x.getKey();
                if (name.startsWith("trusted.overlay.")) continue;
                try {
                    if (fd >= 0) Syscalls.fsetxattr(fd, name, x.getValue(), 0);
                    else Syscalls.lsetxattr(path, name, x.getValue(), 0);
                } catch (ErrnoException err) {
                    // File capabilities change what a program may do, so losing them is an error;
                    // other attributes are best effort where the file system refuses them (as in moby).
                    boolean refused = err.is(EOPNOTSUPP) || err.is(EPERM);
                    if (name.equals("security.capability") || !refused) {
                        throw new IOException("applying layer: entry " + entryName + ": setting xattr " + name + ": " + err.getMessage(), err);
                    }
                }
            }
        }

        /**
         * A path naming {@code name} inside the directory open as {@code dir}: /proc/self/fd/N is our
         * own descriptor, so the lookup starts in that directory and the final name is not followed
         * by the l*xattr calls. Used only for xattrs on symlinks and device nodes, which cannot be
         * opened for fsetxattr.
         */
        private static String procPath(int dir, String name) {
            return "/proc/self/fd/" + dir + "/" + name;
        }

        private static int uid(TarArchiveEntry e) { return id(e.getLongUserId(), "uid"); }

        private static int gid(TarArchiveEntry e) { return id(e.getLongGroupId(), "gid"); }

        private static int id(long v, String what) {
            // (uid_t)-1 means "leave unchanged" to chown, so it cannot be an owner either.
            if (v < 0 || v >= 0xffffffffL) throw BerthException.invalid("applying layer: %s %d out of range", what, v);
            return (int) v;
        }

        void finish() throws IOException {
            for (Map.Entry<String, Times> d : dirTimes.entrySet()) {
                String path = d.getKey();
                Times t = d.getValue();
                int slash = path.lastIndexOf('/');
                try {
                    Dir dir = existingDir(slash < 0 ? "" : path.substring(0, slash));
                    if (dir == null) continue;
                    Syscalls.utimensat(dir.fd(), path.substring(slash + 1), t.aSec, t.aNsec, t.mSec, t.mNsec, AT_SYMLINK_NOFOLLOW);
                } catch (ErrnoException x) {
                    if (!x.is(ENOENT)) throw new IOException("applying layer: setting times of " + path + ": " + x.getMessage(), x);
                } finally {
                    for (Fd fd : retired) fd.close();
                    retired.clear();
                }
            }
        }

        private BerthException invalid(String fmt, Object... args) {
            return BerthException.invalid("applying layer: entry %s: %s", entryName, fmt.formatted(args));
        }

        /** The errors that mean the layer itself is hostile or broken, rather than the machine failing. */
        private BerthException refusal(ErrnoException x) {
            return switch (x.errno()) {
                case ELOOP -> invalid("too many levels of symbolic links, or a /proc magic link, in its path");
                case ENOTDIR -> invalid("a parent in its path is not a directory");
                case ENAMETOOLONG -> invalid("name too long");
                case EXDEV -> invalid("its path leaves the layer root");
                case ENOSYS -> BerthException.unavailable("applying layer: entry %s: %s", entryName, x.getMessage());
                default -> null;
            };
        }

        /** Lexically cleans a tar name to a relative path; refuses one that climbs above the root. */
        private String clean(String raw, String what) {
            if (raw == null) throw invalid("%s has no name", what);
            if (raw.indexOf('\0') >= 0) throw invalid("%s contains a NUL byte", what);
            if (isClean(raw)) return raw;
            ArrayList<String> parts = new ArrayList<>();
            for (String c : raw.split("/")) {
                if (c.isEmpty() || c.equals(".")) continue;
                if (c.equals("..")) {
                    if (parts.isEmpty()) throw invalid("%s %s escapes the layer root", what, raw);
                    parts.removeLast();
                } else {
                    parts.add(c);
                }
            }
            return String.join("/", parts);
        }

        /** The common case needs no work: relative, no empty, "." or ".." components, no trailing slash. */
        private static boolean isClean(String s) {
            if (s.isEmpty() || s.charAt(0) == '/' || s.charAt(s.length() - 1) == '/') return false;
            int start = 0;
            while (true) {
                int end = s.indexOf('/', start);
                if (end < 0) end = s.length();
                int len = end - start;
                if (len == 0) return false;
                if (s.charAt(start) == '.' && (len == 1 || (len == 2 && s.charAt(start + 1) == '.'))) return false;
                if (end == s.length()) return true;
                start = end + 1;
            }
        }

        /** aufs meta entries ({@code .wh..wh.plnk} and what is under it) carry nothing for other drivers. */
        private static boolean isMeta(String parent, String base) {
            if (!base.equals(WH_OPAQUE) && base.startsWith(WH_META_PREFIX)) return true;
            return parent.startsWith(WH_META_PREFIX) || parent.contains("/" + WH_META_PREFIX);
        }

        private static String join(String parent, String name) { return parent.isEmpty() ? name : parent + "/" + name; }

        @Override
        public void close() {
            for (Dir d : dirs.values()) d.handle().close();
            dirs.clear();
            for (Fd fd : retired) fd.close();
            retired.clear();
            arena.close();
        }
    }

    /** Access and modification time of an entry; atime is never before mtime (as in containerd). */
    private record Times(long aSec, long aNsec, long mSec, long mNsec) {
        static Times of(TarArchiveEntry e) {
            FileTime mt = e.getLastModifiedTime();
            Instant m = mt == null ? Instant.EPOCH : mt.toInstant();
            FileTime at = e.getLastAccessTime();
            Instant a = at == null || at.toInstant().isBefore(m) ? m : at.toInstant();
            return new Times(a.getEpochSecond(), a.getNano(), m.getEpochSecond(), m.getNano());
        }
    }

    /** Counts the bytes taken from the caller's stream (the report's byte count). */
    private static final class Counting extends FilterInputStream {
        long count;

        Counting(InputStream in) { super(in); }

        @Override public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count++;
            return b;
        }

        @Override public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) count += n;
            return n;
        }

        @Override public long skip(long n) throws IOException {
            long s = super.skip(n);
            count += s;
            return s;
        }

        /** The caller owns the stream. */
        @Override public void close() {}
    }
}
