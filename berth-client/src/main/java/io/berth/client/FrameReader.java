package io.berth.client;

import io.berth.api.container.AttachSession;
import io.berth.api.container.StdStream;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Docker's stdio framing on attach, exec and logs streams. Without a TTY each chunk is
 * {@code [stream, 0, 0, 0, size (uint32 big-endian)] + payload} (stream 1 stdout, 2 stderr; 0,
 * stdin, is shown as stdout as docker does); with a TTY the stream is raw bytes, all stdout.
 * Frame boundaries need not match lines.
 */
public final class FrameReader {
    private final InputStream in;
    private final boolean raw;
    private final byte[] header = new byte[8];

    public FrameReader(InputStream in, boolean raw) { this.in = in; this.raw = raw; }

    /** The next frame, or null at the end of the stream (a stream ending inside a frame is an error). */
    public AttachSession.Frame next() throws IOException {
        if (raw) {
            byte[] buf = new byte[8192];
            int n = in.read(buf);
            if (n < 0) return null;
            return new AttachSession.Frame(StdStream.STDOUT, n == buf.length ? buf : java.util.Arrays.copyOf(buf, n));
        }
        int got = in.readNBytes(header, 0, 8);
        if (got == 0) return null;
        if (got < 8) throw new EOFException("stream ended inside a frame header (" + got + " of 8 bytes)");
        int size = (header[4] & 0xff) << 24 | (header[5] & 0xff) << 16 | (header[6] & 0xff) << 8 | header[7] & 0xff;
        if (size < 0) throw new IOException("frame of " + Integer.toUnsignedString(size) + " bytes is too large");
        byte[] data = in.readNBytes(size);
        if (data.length < size) throw new EOFException("stream ended inside a frame (" + data.length + " of " + size + " bytes)");
        StdStream s = switch (header[0]) {
            case 2 -> StdStream.STDERR;
            case 0, 1 -> StdStream.STDOUT;
            default -> throw new IOException("unknown stream id " + header[0] + " in frame header");
        };
        return new AttachSession.Frame(s, data);
    }

    /** A frame as the daemon sends it: the 8-byte header then the payload (for tests and fakes). */
    public static byte[] frame(StdStream stream, byte[] data) {
        byte[] f = new byte[8 + data.length];
        f[0] = (byte) stream.id();
        int n = data.length;
        f[4] = (byte) (n >>> 24); f[5] = (byte) (n >>> 16); f[6] = (byte) (n >>> 8); f[7] = (byte) n;
        System.arraycopy(data, 0, f, 8, n);
        return f;
    }
}
