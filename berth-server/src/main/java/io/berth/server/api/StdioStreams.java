package io.berth.server.api;

import io.berth.api.container.AttachSession;
import io.berth.api.container.LogEntry;
import io.berth.api.container.StdStream;
import io.berth.server.http.HttpExchange;
import io.berth.server.wire.WireTime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Docker's stdio streams on the wire: the 8-byte frame header of multiplexed (non-TTY) output and
 * the pumping of an {@link AttachSession} over a hijacked connection.
 */
public final class StdioStreams {
    public static final String RAW = "application/vnd.docker.raw-stream";
    public static final String MULTIPLEXED = "application/vnd.docker.multiplexed-stream";
    private static final System.Logger LOG = System.getLogger("io.berth.server");

    private StdioStreams() {}

    /** Below 1.42 Docker always says raw-stream; from 1.42 multiplexed when there is no TTY. */
    public static String contentType(ApiVersion v, boolean tty) {
        return !tty && !v.lessThan(new ApiVersion(1, 42)) ? MULTIPLEXED : RAW;
    }

    /** {@code [stream, 0, 0, 0, size big-endian]} followed by the payload. */
    public static byte[] frame(StdStream stream, byte[] data, int off, int len) {
        byte[] f = new byte[8 + len];
        f[0] = (byte) stream.id();
        f[4] = (byte) (len >>> 24);
        f[5] = (byte) (len >>> 16);
        f[6] = (byte) (len >>> 8);
        f[7] = (byte) len;
        System.arraycopy(data, off, f, 8, len);
        return f;
    }

    /** A log entry as written on the wire, with the RFC3339Nano prefix when asked. */
    public static byte[] logPayload(LogEntry e, boolean timestamps) {
        if (!timestamps) return e.data();
        byte[] ts = (WireTime.rfc3339Nano(e.time()) + " ").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] out = new byte[ts.length + e.data().length];
        System.arraycopy(ts, 0, out, 0, ts.length);
        System.arraycopy(e.data(), 0, out, ts.length, e.data().length);
        return out;
    }

    /**
     * Runs a hijacked stdio session to its end on the calling (virtual) thread: the client's bytes
     * go to the process's stdin from a second virtual thread, and its half-close becomes stdin
     * EOF while output keeps flowing; output is framed unless TTY. The connection closes when
     * {@link AttachSession#read()} returns null (after the engine has made the exit code final),
     * and the session closes when the client goes away.
     */
    public static void pump(AttachSession session, HttpExchange.RawStream raw) { pump(session, raw, true); }

    /** @param closeStdinAtEof false for an attach to a container without StdinOnce (Docker keeps its stdin open) */
    public static void pump(AttachSession session, HttpExchange.RawStream raw, boolean closeStdinAtEof) {
        Thread in = Thread.ofVirtual().name("berth-stdin").start(() -> copyStdin(session, raw.input(), closeStdinAtEof));
        try (session) {
            boolean tty = session.tty();
            for (AttachSession.Frame f; (f = session.read()) != null; ) {
                if (f.data().length == 0) continue;
                if (tty) raw.write(f.data(), 0, f.data().length);
                else {
                    byte[] framed = frame(f.stream(), f.data(), 0, f.data().length);
                    raw.write(framed, 0, framed.length);
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "stdio stream ended: " + e.getMessage());
        } finally {
            raw.close();
            in.interrupt();
        }
    }

    private static void copyStdin(AttachSession session, InputStream client, boolean closeAtEof) {
        OutputStream stdin = session.stdin();
        byte[] buf = new byte[16 << 10];
        while (true) {
            int n;
            try {
                n = client.read(buf);
            } catch (IOException e) {
                // The client disconnected (not a half-close): nobody is left to read the output.
                if (!Thread.currentThread().isInterrupted()) session.close();
                return;
            }
            if (n < 0) break;
            if (stdin == null || n == 0) continue;
            try {
                stdin.write(buf, 0, n);
                stdin.flush();
            } catch (IOException e) {
                stdin = null; // the process closed its stdin or exited: drop the rest, keep the output
            }
        }
        if (stdin != null && closeAtEof) {
            try { stdin.close(); } // the client's half-close: EOF for the process, output goes on
            catch (IOException ignored) { }
        }
    }
}
