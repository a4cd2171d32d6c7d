package io.berth.engine.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * mount(2) and umount2(2) through FFM. Every container start mounts its root filesystem and every
 * exit unmounts it; spawning util-linux mount(8)/umount(8) for that costs a process start, libmount's
 * parsing of mountinfo and fstab, and 10-30 ms of wall time on a loaded host, where the calls take
 * well under a millisecond. Failures throw {@link ErrnoException}.
 */
public final class MountCalls {
    private MountCalls() {}

    public static final long MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_REMOUNT = 32, MS_BIND = 4096,
            MS_REC = 16384;
    public static final int MNT_DETACH = 2;
    public static final int EBUSY = 16, EINVAL = 22;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle MOUNT = LINKER.downcallHandle(LINKER.defaultLookup().find("mount").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS), Linker.Option.captureCallState("errno"));
    private static final MethodHandle UMOUNT2 = LINKER.downcallHandle(LINKER.defaultLookup().find("umount2").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), Linker.Option.captureCallState("errno"));

    /** mount(2); a null {@code source}, {@code fstype} or {@code data} is passed as NULL. */
    public static void mount(String source, String target, String fstype, long flags, String data) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(STATE);
            MemorySegment src = cstr(a, source), tgt = cstr(a, target), type = cstr(a, fstype), d = cstr(a, data);
            for (;;) {
                int r = (int) MOUNT.invokeExact(state, src, tgt, type, flags, d);
                if (r == 0) return;
                int e = (int) ERRNO.get(state, 0L);
                if (e != Syscalls.EINTR) throw new ErrnoException("mount", target, e);
            }
        } catch (ErrnoException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** umount2(2). */
    public static void umount2(String target, int flags) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(STATE);
            MemorySegment tgt = cstr(a, target);
            for (;;) {
                int r = (int) UMOUNT2.invokeExact(state, tgt, flags);
                if (r == 0) return;
                int e = (int) ERRNO.get(state, 0L);
                if (e != Syscalls.EINTR) throw new ErrnoException("umount2", target, e);
            }
        } catch (ErrnoException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static MemorySegment cstr(Arena a, String s) {
        if (s == null) return MemorySegment.NULL;
        if (s.indexOf('\0') >= 0) throw new IllegalArgumentException("NUL byte in mount argument: " + s.replace('\0', '?'));
        return a.allocateFrom(s);
    }
}
