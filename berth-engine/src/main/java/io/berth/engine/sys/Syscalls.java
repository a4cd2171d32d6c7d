package io.berth.engine.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The Linux file-system calls Berth needs to work safely inside an untrusted directory tree, bound
 * through FFM (java.lang.foreign) to glibc. Everything is descriptor-relative ({@code *at} calls) so
 * a path is resolved once, with the kernel's rules, instead of being re-walked by string.
 *
 * <p>Failures throw {@link ErrnoException} carrying errno (read through {@code captureCallState},
 * since the JVM may itself clobber errno between the call and a later read). EINTR is retried.
 * Strings are passed as UTF-8; a string holding a NUL byte is refused with IllegalArgumentException,
 * because C would silently truncate it to a different name.
 *
 * <p>Linux only; the flag values are those of x86_64 and the generic (aarch64) ABI.
 */
public final class Syscalls {
    private Syscalls() {}

    // open(2) flags. O_DIRECTORY and O_NOFOLLOW differ between x86 and the generic ABI (aarch64).
    private static final boolean GENERIC_ABI = "aarch64".equals(System.getProperty("os.arch"));
    public static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2;
    public static final int O_CREAT = 0100, O_EXCL = 0200, O_NOCTTY = 0400, O_TRUNC = 01000, O_NONBLOCK = 04000;
    public static final int O_DIRECTORY = GENERIC_ABI ? 040000 : 0200000;
    public static final int O_NOFOLLOW = GENERIC_ABI ? 0100000 : 0400000;
    public static final int O_CLOEXEC = 02000000;
    public static final int O_PATH = 010000000;

    public static final int AT_FDCWD = -100;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_SYMLINK_FOLLOW = 0x400, AT_EMPTY_PATH = 0x1000;

    /** openat2(2) resolve flags. */
    public static final long RESOLVE_NO_XDEV = 0x01, RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_NO_SYMLINKS = 0x04,
            RESOLVE_BENEATH = 0x08, RESOLVE_IN_ROOT = 0x10;

    public static final int S_IFMT = 0170000, S_IFSOCK = 0140000, S_IFLNK = 0120000, S_IFREG = 0100000,
            S_IFBLK = 060000, S_IFDIR = 040000, S_IFCHR = 020000, S_IFIFO = 010000;

    public static final int XATTR_CREATE = 1, XATTR_REPLACE = 2;

    public static final int EPERM = 1, ENOENT = 2, EINTR = 4, EBADF = 9, EAGAIN = 11, EACCES = 13, EEXIST = 17,
            EXDEV = 18, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENOSPC = 28, ENAMETOOLONG = 36, ENOSYS = 38,
            ENOTEMPTY = 39, ELOOP = 40, ENODATA = 61, EOPNOTSUPP = 95;

    /** getdents64 d_type values. */
    public static final int DT_UNKNOWN = 0, DT_FIFO = 1, DT_CHR = 2, DT_DIR = 4, DT_BLK = 6, DT_REG = 8, DT_LNK = 10, DT_SOCK = 12;

    /** openat2 has the same number on every architecture (new syscalls share one table since 5.1). */
    private static final long SYS_OPENAT2 = 437;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout STATE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle SYSCALL4 = fn("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle OPENAT = fn("openat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(3));
    private static final MethodHandle CLOSE = fn("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle MKDIRAT = fn("mkdirat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle MKNODAT = fn("mknodat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG));
    private static final MethodHandle SYMLINKAT = fn("symlinkat", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
    private static final MethodHandle LINKAT = fn("linkat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle UNLINKAT = fn("unlinkat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RENAMEAT = fn("renameat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
    private static final MethodHandle FCHOWNAT = fn("fchownat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle FCHOWN = fn("fchown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle FCHMOD = fn("fchmod", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle FCHMODAT = fn("fchmodat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle UTIMENSAT = fn("utimensat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle FUTIMENS = fn("futimens", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle FSETXATTR = fn("fsetxattr", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle LSETXATTR = fn("lsetxattr", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle FGETXATTR = fn("fgetxattr", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle LGETXATTR = fn("lgetxattr", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = fn("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle STATX = fn("statx", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle GETDENTS64 = fn("getdents64", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle READLINKAT = fn("readlinkat", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle GETEUID = LINKER.downcallHandle(LIBC.find("geteuid").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETEGID = LINKER.downcallHandle(LIBC.find("getegid").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(LIBC.find("strerror").orElseThrow(),
            FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private static MethodHandle fn(String name, FunctionDescriptor d, Linker.Option... options) {
        MemorySegment address = LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        Linker.Option[] all = Arrays.copyOf(options, options.length + 1);
        all[options.length] = Linker.Option.captureCallState("errno");
        return LINKER.downcallHandle(address, d, all);
    }

    // ---- opening ----------------------------------------------------------------------------------

    /**
     * openat2(2): opens {@code path} relative to {@code dirfd} with {@code resolve} restrictions. With
     * {@link #RESOLVE_IN_ROOT} the kernel treats {@code dirfd} as "/" for the whole walk: absolute
     * symlinks and {@code ..} are clamped to it, so nothing outside can be reached.
     */
    public static Fd openat2(int dirfd, String path, int flags, int mode, long resolve) throws ErrnoException {
        try (Frame f = Frame.enter()) {
            MemorySegment how = f.alloc(24, 8);
            how.set(JAVA_LONG, 0, Integer.toUnsignedLong(flags));
            how.set(JAVA_LONG, 8, mode);
            how.set(JAVA_LONG, 16, resolve);
            MemorySegment p = f.cstr(path);
            // EAGAIN: with RESOLVE_IN_ROOT the kernel refuses to finish a walk that raced a rename; retry.
            for (int attempt = 0; ; attempt++) {
                long r = (long) SYSCALL4.invokeExact(f.state, SYS_OPENAT2, (long) dirfd, p, how, 24L);
                if (r >= 0) return new Fd((int) r);
                int e = f.errno();
                if (e == EINTR || (e == EAGAIN && attempt < 64)) continue;
                throw new ErrnoException("openat2", path, e);
            }
        } catch (Throwable t) { throw rethrow(t); }
    }

    public static Fd openat(int dirfd, String path, int flags, int mode) throws ErrnoException {
        try (Frame f = Frame.enter()) {
            return openat(f, dirfd, f.cstr(path), flags, mode, path);
        } catch (Throwable t) { throw rethrow(t); }
    }

    /** Raw-name variant, for names read back from the file system that need not be valid UTF-8. */
    public static Fd openat(int dirfd, byte[] name, int flags, int mode) throws ErrnoException {
        try (Frame f = Frame.enter()) {
            return openat(f, dirfd, f.cstr(name), flags, mode, printable(name));
        } catch (Throwable t) { throw rethrow(t); }
    }

    private static Fd openat(Frame f, int dirfd, MemorySegment p, int flags, int mode, String what) throws Throwable {
        for (;;) {
            int r = (int) OPENAT.invokeExact(f.state, dirfd, p, flags, mode);
            if (r >= 0) return new Fd(r);
            int e = f.errno();
            if (e != EINTR) throw new ErrnoException("openat", what, e);
        }
    }

    public static Fd open(String path, int flags) throws ErrnoException {
        return openat(AT_FDCWD, path, flags, 0);
    }

    static void closeQuietly(int fd) {
        try (Frame f = Frame.enter()) {
            int ignored = (int) CLOSE.invokeExact(f.state, fd);
        } catch (Throwable t) { throw rethrowUnchecked(t); }
    }

    // ---- creating and removing ---------------------------------------------------------------------

    public static void mkdirat(int dirfd, String name, int mode) throws ErrnoException {
        try (Frame f = Frame.enter()) {
            check(f, (int) MKDIRAT.invokeExact(f.state, dirfd, f.cstr(name), mode), "mkdirat", name);
        } catch (Throwable t) { throw rethrow(t); }
    }

    /** mknodat(2); {@code mode} holds the file type (S_IFCHR, S_IFBLK, S_IFIFO) and permissions. */
    public static void mknodat(int dirfd, String name, int mode, long dev) throws ErrnoException {
        try (Frame f = Frame.enter()) {
            check(f, (int) MKNODAT.invokeExact(f.state, dirfd, f.cstr(name), mode, dev), "mknodat", name);
        } catch (Throwable t) { throw rethrow(t); }
    }

    /** glibc's makedev encoding of a dev_t (12+20 bit major, 20+12 bit minor, split for compatibility). */
    public static long makedev(long major, long minor) {
        return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8)
                | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
    }

    public static void symlinkat(String target, int dirfd, String name) throws ErrnoException {
        try (Frame f = Frame.enter()) {
            MemorySegment t = f.cstr(target);
            check(f, (int) SYMLINKAT.invokeExact(f.state, t, dirfd, f.cstr(name)), "symlinkat", name);
        } catch (Throwable t) { throw rethrow(t); }
    }

    /** linkat(2); without AT_SYMLINK_FOLLOW a symlink named by {@code oldname} is linked itself, not followed. */
    public static void linkat(int olddirfd, String oldname, int newdirfd, String newname, int flags) throws ErrnoException {
        try (Frame f = Frame.enter()) {
            MemorySegment o = f.cstr(oldname);
            check(f, (int) LINKAT.invokeExact(f.state, olddirfd, o, newdirfd, f.cstr(newname), flags), "linkat", newname);
        } catch (Throwable t) { throw rethrow(t); }
    }

    /** unlinkat(2): never follows a symlink; AT_REMOVEDIR removes an empty directory. */
    public static void unlinkat(int dirfd, String name, int flags) throws ErrnoException {
        try (Frame f = Frame.enter()) {
            check(f, (int) UNLINKAT.invokeExact(f.state, dirfd, f.cstr(name), flags), "unlinkat", name);
        } catch (Throwable t) { throw rethrow(t); }
    }

    public static void unlinkat(int dirfd, byte[] name, int flags) throws ErrnoException {
        try (Frame f = Frame.enter()) {
            check(f, (int) UNLINKAT.invokeExact(f.state, dirfd, f.cstr(name), flags), "unlinkat", printable(name));
        } catch (Throwable t) { throw rethrow(t); }
    }

    public static void renameat(int olddirfd, String oldname, int newdirfd, String newname) throws ErrnoException {
        try (Frame f = Frame.enter()) {
            MemorySegment o = f.cstr(oldname);
            check(f, (int) RENAMEAT.invokeExact(f.state, olddirfd, o, newdirfd, f.cstr(newname)), "renameat", oldname);
        } catch (Throwable t) { throw rethrow(t); }
    }

    // ---- metadata ---------------------------------------------------------------------------------

    /** fchownat(2); pass AT_SYMLINK_NOFOLLOW for lchown semantics (change a symlink itself). */
    public static void fchownat(int dirfd, String name, int uid, int gid, int flags) throws ErrnoException {
        try (Frame f = Frame.enter()) {
            check(f, (int) FCHOWNAT.invokeExact(f.state, dirfd, f.cstr(name), uid, gid, flags), "fchownat", name);
        } catch (Throwable t) { throw rethrow(t); }
    }

    public static void fchown(int fd, int uid, int gid) throws ErrnoException {
        try (Frame f = Frame.enter()) {
            check(f, (int) FCHOWN.invokeExact(f.state, fd, uid, gid), "fchown", null);
        } catch (Throwable t) { throw rethrow(t); }
    }

    public static void fchmod(int fd, int mode) throws ErrnoException {
        try (Frame f = Frame.enter()) {
            check(f, (int) FCHMOD.invokeExact(f.state, fd, mode), "fchmod", null);
        } catch (Throwable t) { throw rethrow(t); }
    }

    /**
     * fchmodat(2). With AT_SYMLINK_NOFOLLOW glibc (2.32+) refuses a symlink with EOPNOTSUPP instead of
     * following it, which is what an unpacker needs: a chmod must never reach through a link.
     */
    public static void fchmodat(int dirfd, String name, int mode, int flags) throws ErrnoException {
        try (Frame f = Frame.enter()) {
            check(f, (int) FCHMODAT.invokeExact(f.state, dirfd, f.cstr(name), mode, flags), "fchmodat", name);
        } catch (Throwable t) { throw rethrow(t); }
    }

    /** utimensat(2) with explicit access and modification times. */
    public static void utimensat(int dirfd, String name, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec, int flags)
            throws ErrnoException {
        try (Frame f = Frame.enter()) {
            MemorySegment ts = timespecs(f, atimeSec, atimeNsec, mtimeSec, mtimeNsec);
            check(f, (int) UTIMENSAT.invokeExact(f.state, dirfd, f.cstr(name), ts, flags), "utimensat", name);
        } catch (Throwable t) { throw rethrow(t); }
    }

    public static void futimens(int fd, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec) throws ErrnoException {
        try (Frame f = Frame.enter()) {
            MemorySegment ts = timespecs(f, atimeSec, atimeNsec, mtimeSec, mtimeNsec);
            check(f, (int) FUTIMENS.invokeExact(f.state, fd, ts), "futimens", null);
        } catch (Throwable t) { throw rethrow(t); }
    }

    private static MemorySegment timespecs(Frame f, long as, long ans, long ms, long mns) {
        MemorySegment ts = f.alloc(32, 8);
        ts.set(JAVA_LONG, 0, as);
        ts.set(JAVA_LONG, 8, ans);
        ts.set(JAVA_LONG, 16, ms);
        ts.set(JAVA_LONG, 24, mns);
        return ts;
    }

    public static void fsetxattr(int fd, String name, byte[] value, int flags) throws ErrnoException {
        try (Frame f = Frame.enter()) {
            MemorySegment n = f.cstr(name);
            MemorySegment v = f.bytes(value);
            check(f, (int) FSETXATTR.invokeExact(f.state, fd, n, v, (long) value.length, flags), "fsetxattr", name);
        } catch (Throwable t) { throw rethrow(t); }
    }

    /** lsetxattr(2): sets an attribute on the final component itself, even when it is a symlink. */
    public static void lsetxattr(String path, String name, byte[] value, int flags) throws ErrnoException {
        try (Frame f = Frame.enter()) {
            MemorySegment p = f.cstr(path);
            MemorySegment n = f.cstr(name);
            MemorySegment v = f.bytes(value);
            check(f, (int) LSETXATTR.invokeExact(f.state, p, n, v, (long) value.length, flags), "lsetxattr", path + " " + name);
        } catch (Throwable t) { throw rethrow(t); }
    }

    /** The attribute's value, or null when the file has no such attribute (ENODATA). */
    public static byte[] fgetxattr(int fd, String name) throws ErrnoException {
        try (Frame f = Frame.enter()) {
            MemorySegment n = f.cstr(name);
            MemorySegment buf = f.alloc(65536, 8);
            long r = (long) FGETXATTR.invokeExact(f.state, fd, n, buf, buf.byteSize());
            return xattrResult(f, r, buf, name);
        } catch (Throwable t) { throw rethrow(t); }
    }

    /** Like {@link #fgetxattr} but by path, without following a final symlink. */
    public static byte[] lgetxattr(String path, String name) throws ErrnoException {
        try (Frame f = Frame.enter()) {
            MemorySegment p = f.cstr(path);
            MemorySegment n = f.cstr(name);
            MemorySegment buf = f.alloc(65536, 8);
            long r = (long) LGETXATTR.invokeExact(f.state, p, n, buf, buf.byteSize());
            return xattrResult(f, r, buf, path + " " + name);
        } catch (Throwable t) { throw rethrow(t); }
    }

    private static byte[] xattrResult(Frame f, long r, MemorySegment buf, String what) throws ErrnoException {
        if (r >= 0) return buf.asSlice(0, r).toArray(JAVA_BYTE);
        int e = f.errno();
        if (e == ENODATA) return null;
        throw new ErrnoException("getxattr", what, e);
    }

    // ---- data ---------------------------------------------------------------------------------------

    /** Writes all {@code len} bytes of {@code buf} (a native segment), retrying short writes and EINTR. */
    public static void writeFully(int fd, MemorySegment buf, long len) throws ErrnoException {
        try (Frame f = Frame.enter()) {
            long off = 0;
            while (off < len) {
                long r = (long) WRITE.invokeExact(f.state, fd, buf.asSlice(off), len - off);
                if (r < 0) {
                    int e = f.errno();
                    if (e == EINTR) continue;
                    throw new ErrnoException("write", null, e);
                }
                off += r;
            }
        } catch (Throwable t) { throw rethrow(t); }
    }

    // ---- inspection ---------------------------------------------------------------------------------

    /** statx(2) of {@code name} under {@code dirfd}; pass AT_SYMLINK_NOFOLLOW to see a symlink itself. */
    public static Stat statx(int dirfd, String name, int flags) throws ErrnoException {
        try (Frame f = Frame.enter()) {
            MemorySegment buf = f.alloc(256, 8);
            check(f, (int) STATX.invokeExact(f.state, dirfd, f.cstr(name), flags, 0x7ff /* STATX_BASIC_STATS */, buf), "statx", name);
            return new Stat(
                    Short.toUnsignedInt(buf.get(JAVA_SHORT, 28)),
                    buf.get(JAVA_INT, 20), buf.get(JAVA_INT, 24),
                    buf.get(JAVA_LONG, 40), buf.get(JAVA_LONG, 32), Integer.toUnsignedLong(buf.get(JAVA_INT, 16)),
                    buf.get(JAVA_INT, 128), buf.get(JAVA_INT, 132),
                    buf.get(JAVA_LONG, 64), buf.get(JAVA_INT, 72),
                    buf.get(JAVA_LONG, 112), buf.get(JAVA_INT, 120));
        } catch (Throwable t) { throw rethrow(t); }
    }

    /** fstat of an open descriptor (works on O_PATH descriptors too). */
    public static Stat fstat(int fd) throws ErrnoException {
        return statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
    }

    /** A directory entry as getdents64 reports it; {@code name} is the raw bytes (not necessarily UTF-8). */
    public record DirEntry(byte[] name, int type) {
        public String nameString() { return new String(name, StandardCharsets.UTF_8); }
    }

    /** Lists a directory opened for reading (not O_PATH), without "." and "..", in on-disk order. */
    public static List<DirEntry> readDir(int dirfd) throws ErrnoException {
        List<DirEntry> out = new ArrayList<>();
        try (Frame f = Frame.enter()) {
            MemorySegment buf = f.alloc(32768, 8);
            for (;;) {
                long n = (long) GETDENTS64.invokeExact(f.state, dirfd, buf, buf.byteSize());
                if (n < 0) {
                    int e = f.errno();
                    if (e == EINTR) continue;
                    throw new ErrnoException("getdents64", null, e);
                }
                if (n == 0) return out;
                // struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
                for (long off = 0; off < n; ) {
                    int reclen = Short.toUnsignedInt(buf.get(JAVA_SHORT, off + 16));
                    int type = Byte.toUnsignedInt(buf.get(JAVA_BYTE, off + 18));
                    long nameStart = off + 19;
                    long nameEnd = nameStart;
                    while (buf.get(JAVA_BYTE, nameEnd) != 0) nameEnd++;
                    byte[] name = buf.asSlice(nameStart, nameEnd - nameStart).toArray(JAVA_BYTE);
                    if (!(name.length == 1 && name[0] == '.') && !(name.length == 2 && name[0] == '.' && name[1] == '.')) {
                        out.add(new DirEntry(name, type));
                    }
                    off += reclen;
                }
            }
        } catch (Throwable t) { throw rethrow(t); }
    }

    public static String readlinkat(int dirfd, String name) throws ErrnoException {
        try (Frame f = Frame.enter()) {
            MemorySegment buf = f.alloc(4097, 1);
            long r = (long) READLINKAT.invokeExact(f.state, dirfd, f.cstr(name), buf, buf.byteSize());
            if (r < 0) throw new ErrnoException("readlinkat", name, f.errno());
            return new String(buf.asSlice(0, r).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
        } catch (Throwable t) { throw rethrow(t); }
    }

    /** The process's effective uid (the owner of files it creates, file-system uid aside). */
    public static int geteuid() {
        try { return (int) GETEUID.invokeExact(); } catch (Throwable t) { throw rethrowUnchecked(t); }
    }

    public static int getegid() {
        try { return (int) GETEGID.invokeExact(); } catch (Throwable t) { throw rethrowUnchecked(t); }
    }

    /**
     * The process umask, read from /proc/self/status (umask(2) can only be read by changing it,
     * which would race with other threads creating files); -1 when unknown.
     */
    public static int umask() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("Umask:")) return Integer.parseInt(line.substring(6).trim(), 8);
            }
        } catch (java.io.IOException | RuntimeException e) {
            // fall through: unknown
        }
        return -1;
    }

    /** The C library's text for an errno value ("No such file or directory"). */
    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(256).getString(0) + " (errno " + errno + ")";
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    // ---- plumbing -----------------------------------------------------------------------------------

    private static void check(Frame f, int r, String call, String what) throws ErrnoException {
        if (r < 0) throw new ErrnoException(call, what, f.errno());
    }

    private static String printable(byte[] name) { return new String(name, StandardCharsets.UTF_8); }

    private static ErrnoException rethrow(Throwable t) throws ErrnoException {
        if (t instanceof ErrnoException e) throw e;
        throw rethrowUnchecked(t);
    }

    private static RuntimeException rethrowUnchecked(Throwable t) {
        if (t instanceof RuntimeException r) throw r;
        if (t instanceof Error e) throw e;
        throw new IllegalStateException("native call failed", t);
    }

    /**
     * Per-thread scratch memory for one call: the errno capture area plus a small bump allocator for
     * C strings and structs, so the hot path (several calls per tar entry) does not malloc/free.
     * Falls back to a confined arena when a call needs more than the scratch block.
     */
    private static final class Frame implements AutoCloseable {
        private static final ThreadLocal<Frame> CURRENT = ThreadLocal.withInitial(Frame::new);
        private static final long SCRATCH = 16384;

        final MemorySegment state;
        private final MemorySegment scratch;
        private long used;
        private boolean busy;
        private Arena overflow;

        private Frame() {
            Arena arena = Arena.ofAuto(); // freed by the GC with the thread's Frame
            this.state = arena.allocate(STATE_LAYOUT);
            this.scratch = arena.allocate(SCRATCH, 16);
        }

        static Frame enter() {
            Frame f = CURRENT.get();
            if (f.busy) f = new Frame();
            f.busy = true;
            return f;
        }

        int errno() { return (int) ERRNO.get(state, 0L); }

        MemorySegment alloc(long size, long align) {
            long start = (used + align - 1) & -align;
            if (start + size <= scratch.byteSize()) {
                used = start + size;
                return scratch.asSlice(start, size);
            }
            if (overflow == null) overflow = Arena.ofConfined();
            return overflow.allocate(size, align);
        }

        MemorySegment cstr(String s) {
            if (s.indexOf('\0') >= 0) throw new IllegalArgumentException("name contains a NUL byte: " + s.replace('\0', '?'));
            return cstr(s.getBytes(StandardCharsets.UTF_8));
        }

        MemorySegment cstr(byte[] b) {
            for (byte x : b) if (x == 0) throw new IllegalArgumentException("name contains a NUL byte");
            MemorySegment seg = alloc(b.length + 1L, 1);
            MemorySegment.copy(b, 0, seg, JAVA_BYTE, 0, b.length);
            seg.set(JAVA_BYTE, b.length, (byte) 0);
            return seg;
        }

        MemorySegment bytes(byte[] b) {
            MemorySegment seg = alloc(Math.max(1, b.length), 1);
            MemorySegment.copy(b, 0, seg, JAVA_BYTE, 0, b.length);
            return seg;
        }

        @Override
        public void close() {
            used = 0;
            busy = false;
            if (overflow != null) {
                overflow.close();
                overflow = null;
            }
        }
    }
}
