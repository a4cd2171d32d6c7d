package io.berth.engine.runtime;

import io.berth.engine.sys.ErrnoException;
import io.berth.engine.sys.Fd;
import io.berth.engine.sys.Syscalls;

import java.io.IOException;
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
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A connected AF_UNIX SOCK_SEQPACKET client socket, bound through FFM because the JDK's channels know
 * only stream and datagram unix sockets, and conmon's attach socket is SEQPACKET (each packet keeps its
 * boundary: conmon's one-byte stream tag belongs to exactly one packet).
 *
 * <p>Thread rules: one thread may {@link #recv} while another {@link #send}s; {@link #close()} from any
 * thread first shuts the socket down (which wakes a blocked recv with end-of-stream) and releases the
 * descriptor only after a recv or send in progress has returned, so the number is never reused under a
 * running call. recv and send block in native code: on a virtual thread they pin its carrier, so a
 * long-lived reader belongs on a platform thread.
 */
final class SeqPacketSocket implements AutoCloseable {
    static final int SHUT_RD = 0, SHUT_WR = 1, SHUT_RDWR = 2;
    private static final int AF_UNIX = 1, SOCK_SEQPACKET = 5, SOCK_CLOEXEC = 02000000, MSG_NOSIGNAL = 0x4000;
    private static final int EINTR = 4;
    /** conmon sends at most 8192 bytes of output plus the tag; 32 KiB leaves room for other senders. */
    static final int MAX_PACKET = 32768;
    private static final long SUN_PATH_MAX = 107;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SOCKET = fn("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CONNECT = fn("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECV = fn("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SEND = fn("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SHUTDOWN = fn("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = fn("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private static MethodHandle fn(String name, FunctionDescriptor d) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name)), d,
                Linker.Option.captureCallState("errno"));
    }

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment recvBuf = arena.allocate(MAX_PACKET, 16);
    private final MemorySegment recvState = arena.allocate(STATE);
    private final MemorySegment sendBuf = arena.allocate(MAX_PACKET, 16);
    private final MemorySegment sendState = arena.allocate(STATE);
    private final ReentrantLock sendLock = new ReentrantLock();
    private final Object lifecycle = new Object();
    private int inFlight;
    private boolean closing, released;

    private SeqPacketSocket(int fd) { this.fd = fd; }

    /**
     * Connects to the socket at {@code path}. A path longer than sun_path allows is reached through
     * {@code /proc/self/fd/N/NAME} with N an O_PATH descriptor of the parent directory.
     */
    static SeqPacketSocket connect(Path path) throws IOException {
        byte[] full = path.toString().getBytes(StandardCharsets.UTF_8);
        Fd dir = null;
        try (Arena a = Arena.ofConfined()) {
            byte[] name = full;
            if (full.length > SUN_PATH_MAX) {
                dir = Syscalls.open(path.getParent().toString(), Syscalls.O_PATH | Syscalls.O_CLOEXEC);
                name = ("/proc/self/fd/" + dir.fd() + "/" + path.getFileName()).getBytes(StandardCharsets.UTF_8);
                if (name.length > SUN_PATH_MAX) throw new IOException("connecting to " + path + ": socket name too long");
            }
            MemorySegment state = a.allocate(STATE);
            int s = (int) SOCKET.invokeExact(state, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
            if (s < 0) throw new ErrnoException("socket", null, errno(state));
            // struct sockaddr_un { sa_family_t sun_family; char sun_path[108]; }
            MemorySegment addr = a.allocate(110, 2);
            addr.set(JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(name, 0, addr, JAVA_BYTE, 2, name.length);
            int r;
            do {
                r = (int) CONNECT.invokeExact(state, s, addr, 2 + name.length + 1);
            } while (r < 0 && errno(state) == EINTR);
            if (r < 0) {
                int e = errno(state);
                int ignored = (int) CLOSE.invokeExact(state, s);
                throw new ErrnoException("connect", path.toString(), e);
            }
            return new SeqPacketSocket(s);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("connecting to " + path, t);
        } finally {
            if (dir != null) dir.close();
        }
    }

    /**
     * Platform threads for {@link #recv} called from virtual threads. A foreign call pins its virtual
     * thread to its carrier, and recv() waits as long as the container prints nothing: a handful of
     * idle attach streams would take every carrier (there are as many as CPUs), and nothing else
     * virtual, such as the start that would make those containers print, could run. Seen as a hung
     * 8-way burst of {@code docker run --rm}. The wait happens here instead; the caller parks.
     */
    private static final java.util.concurrent.ExecutorService BLOCKING = java.util.concurrent.Executors.newCachedThreadPool(
            Thread.ofPlatform().daemon().name("berth-attach-recv-", 0).factory());

    /** Receives one packet, or null at end of stream (peer closed, or this socket shut down / closed). */
    byte[] recv() throws IOException {
        if (!Thread.currentThread().isVirtual()) return recvHere();
        java.util.concurrent.Future<byte[]> f = BLOCKING.submit(this::recvHere);
        try {
            return f.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            throw new IOException("receiving from attach socket", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("receiving from attach socket");
        }
    }

    private byte[] recvHere() throws IOException {
        if (!enter()) return null;
        try {
            for (;;) {
                long n = (long) RECV.invokeExact(recvState, fd, recvBuf, (long) MAX_PACKET, 0);
                if (n > 0) return recvBuf.asSlice(0, n).toArray(JAVA_BYTE);
                if (n == 0) return null;
                int e = errno(recvState);
                if (e == EINTR) continue;
                if (isClosing()) return null;
                throw new ErrnoException("recv", "attach socket", e);
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("receiving from attach socket", t);
        } finally {
            leave();
        }
    }

    /** Sends {@code len} bytes as packets of at most {@link #MAX_PACKET} bytes. */
    void send(byte[] b, int off, int len) throws IOException {
        if (!enter()) throw new IOException("sending to attach socket: closed");
        sendLock.lock();
        try {
            while (len > 0) {
                int chunk = Math.min(len, MAX_PACKET);
                MemorySegment.copy(b, off, sendBuf, JAVA_BYTE, 0, chunk);
                long n = (long) SEND.invokeExact(sendState, fd, sendBuf, (long) chunk, MSG_NOSIGNAL);
                if (n < 0) {
                    int e = errno(sendState);
                    if (e == EINTR) continue;
                    throw new ErrnoException("send", "attach socket", e);
                }
                // a SEQPACKET send is all or nothing
                off += chunk;
                len -= chunk;
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("sending to attach socket", t);
        } finally {
            sendLock.unlock();
            leave();
        }
    }

    void shutdown(int how) throws IOException {
        if (!enter()) return;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(STATE);
            int r = (int) SHUTDOWN.invokeExact(state, fd, how);
            // ENOTCONN: the peer is already gone, which is what a shutdown wants anyway
            if (r < 0 && errno(state) != 107) throw new ErrnoException("shutdown", "attach socket", errno(state));
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("shutting down attach socket", t);
        } finally {
            leave();
        }
    }

    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closing) return;
            closing = true;
        }
        try (Arena a = Arena.ofConfined()) {
            int ignored = (int) SHUTDOWN.invokeExact(a.allocate(STATE), fd, SHUT_RDWR);
        } catch (Throwable ignored) {
            // best effort: close below releases the socket anyway
        }
        synchronized (lifecycle) {
            if (inFlight == 0) release();
        }
    }

    private boolean enter() {
        synchronized (lifecycle) {
            if (closing) return false;
            inFlight++;
            return true;
        }
    }

    private void leave() {
        synchronized (lifecycle) {
            if (--inFlight == 0 && closing) release();
        }
    }

    private boolean isClosing() {
        synchronized (lifecycle) { return closing; }
    }

    /** Called with the lifecycle lock held, once no call uses the descriptor. */
    private void release() {
        if (released) return;
        released = true;
        try {
            int ignored = (int) CLOSE.invokeExact(recvState, fd);
        } catch (Throwable ignored) {
            // nothing to do: Linux frees the number even when close reports an error
        }
        arena.close();
    }

    private static int errno(MemorySegment state) { return (int) ERRNO.get(state, 0L); }
}
