package io.berth.engine.runtime;

import io.berth.api.BerthException;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A client of conmon's attach socket ({@code socketDir/UUID/attach}, SOCK_SEQPACKET): the container's
 * output as tagged frames, and its stdin.
 *
 * <p>What conmon 2.1.6 does, as observed here (see the runtime tests):
 * <ul>
 *   <li>Each output packet is one read of the container's pipe (at most 8192 bytes), prefixed by one
 *   byte: 2 for stdout, 3 for stderr. With a terminal all output is tagged 2. Only output produced
 *   after the connect arrives; earlier output is only in the log.</li>
 *   <li>Bytes sent are written to the container's stdin (only with {@code -i}; otherwise dropped).</li>
 *   <li>{@link #closeStdin()} (shutdown SHUT_WR) makes conmon close the container's stdin, so the
 *   process reads EOF, unless conmon runs with {@code --leave-stdin-open} (Docker's StdinOnce=false).
 *   Output keeps flowing. A plain {@link #close()} looks the same to conmon: leaving also closes stdin
 *   of a StdinOnce container.</li>
 *   <li>When the process exits, conmon drains the pipes to all clients, writes the exit file, and then
 *   closes the connections: {@link #read()} returns null only after all output.</li>
 * </ul>
 *
 * <p>{@link #read()} blocks in native code; run the reading loop on a platform thread (see
 * {@link SeqPacketSocket}). Reading and writing stdin may happen on different threads.
 */
public final class AttachSession implements AutoCloseable {
    /** One output packet. */
    public record Frame(StdStream stream, byte[] data) {
        @Override public String toString() { return stream + "[" + data.length + "]"; }
    }

    /** Receives frames from {@link #pump}. */
    @FunctionalInterface
    public interface FrameSink {
        void frame(StdStream stream, byte[] data) throws IOException;
    }

    private final SeqPacketSocket socket;
    private final Path path;
    private final OutputStream stdin;

    private AttachSession(SeqPacketSocket socket, Path path) {
        this.socket = socket;
        this.path = path;
        this.stdin = new OutputStream() {
            @Override public void write(int b) throws IOException { socket.send(new byte[]{(byte) b}, 0, 1); }

            @Override public void write(byte[] b, int off, int len) throws IOException {
                if (len > 0) socket.send(b, off, len);
            }

            /** Closing the stream half-closes: the container's stdin gets EOF. */
            @Override public void close() throws IOException { socket.shutdown(SeqPacketSocket.SHUT_WR); }
        };
    }

    /** Connects to the attach socket at {@code path}; NOT_FOUND when it does not exist (container gone or never created). */
    public static AttachSession connect(Path path) {
        try {
            return new AttachSession(SeqPacketSocket.connect(path), path);
        } catch (io.berth.engine.sys.ErrnoException e) {
            BerthException.Kind k = e.errno() == 2 || e.errno() == 111 ? BerthException.Kind.NOT_FOUND : BerthException.Kind.UNAVAILABLE;
            throw new BerthException(k, "attaching to " + path + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.UNAVAILABLE, "attaching to " + path + ": " + e.getMessage(), e);
        }
    }

    /** The next output frame, or null when conmon closed the connection (process gone, output drained) or after {@link #close()}. */
    public Frame read() throws IOException {
        for (;;) {
            byte[] p = socket.recv();
            if (p == null) return null;
            if (p.length == 0) continue;
            StdStream s = StdStream.ofConmonTag(p[0]);
            if (s == null) continue; // not an output packet; conmon sends no others today
            return new Frame(s, Arrays.copyOfRange(p, 1, p.length));
        }
    }

    /** Reads frames into {@code sink} until the end of the stream. */
    public void pump(FrameSink sink) throws IOException {
        for (Frame f; (f = read()) != null; ) sink.frame(f.stream(), f.data());
    }

    /** The container's stdin; closing it is {@link #closeStdin()}. */
    public OutputStream stdin() { return stdin; }

    /** Half-closes: the container's stdin gets EOF (see the class comment), output keeps coming. */
    public void closeStdin() throws IOException { socket.shutdown(SeqPacketSocket.SHUT_WR); }

    /** Detaches: a blocked {@link #read()} returns null. The container keeps running. */
    @Override
    public void close() { socket.close(); }

    @Override public String toString() { return "attach " + path; }
}
