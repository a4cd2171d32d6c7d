package io.berth.client;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A deliberately small HTTP/1.1 client over a unix-domain socket: one connection per exchange,
 * request bodies as bytes or streamed (chunked), response bodies streamed with Content-Length,
 * chunked or read-to-EOF framing.
 *
 * <p>Why not docker-java, Netty or java.net.http: this client runs inside the berth CLI, which must
 * start in ~100 ms. Every class loaded costs start-up time; docker-java pulls in Jackson modules,
 * Guava-style helpers and a transport stack (hundreds of classes), Netty its event loops and
 * buffer pools, and java.net.http cannot speak to unix sockets at all. The JDK's
 * {@link SocketChannel} with {@link UnixDomainSocketAddress} (JDK 16+) plus ~200 lines here load
 * a few dozen classes. One connection per exchange keeps it stateless (a CLI makes 1-3 calls).
 */
public final class UnixHttp {
    /** Request body: either fixed bytes or a stream sent with chunked transfer encoding. */
    public sealed interface Body {
        record Bytes(byte[] data, String contentType) implements Body { }
        record Stream(InputStream in, String contentType) implements Body { }
    }

    private final Path socket;

    public UnixHttp(Path socket) { this.socket = socket; }

    public Path socket() { return socket; }

    /**
     * Sends one request and returns the response with its body unread. The caller must close the
     * response (that closes the connection). Throws IOException when the socket is unreachable.
     */
    public Response exchange(String method, String target, Map<String, String> headers, Body body) throws IOException {
        SocketChannel ch;
        try { ch = SocketChannel.open(UnixDomainSocketAddress.of(socket)); }
        catch (IOException e) { throw new ConnectFailedException(socket, e); }
        try {
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 16384);
            StringBuilder head = new StringBuilder(256);
            head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
            head.append("Host: berth\r\nUser-Agent: berth-cli\r\nConnection: close\r\n");
            if (headers != null) headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            switch (body) {
                case null -> { if (!method.equals("GET") && !method.equals("HEAD")) head.append("Content-Length: 0\r\n"); }
                case Body.Bytes b -> head.append("Content-Type: ").append(b.contentType())
                        .append("\r\nContent-Length: ").append(b.data().length).append("\r\n");
                case Body.Stream s -> head.append("Content-Type: ").append(s.contentType())
                        .append("\r\nTransfer-Encoding: chunked\r\n");
            }
            head.append("\r\n");
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            switch (body) {
                case null -> { }
                case Body.Bytes b -> out.write(b.data());
                case Body.Stream s -> writeChunked(s.in(), out);
            }
            out.flush();
            InputStream in = new BufferedInputStream(Channels.newInputStream(ch), 16384);
            return readResponse(method, in, ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Sends one request and returns before reading the response: for long polls such as
     * {@code POST /containers/ID/wait}, whose request must reach the daemon before the next call
     * (start) while the answer comes much later. {@link Pending#response()} reads it.
     */
    public Pending send(String method, String target, Map<String, String> headers, Body.Bytes body) throws IOException {
        SocketChannel ch = connect();
        try {
            writeHead(ch, method, target, headers, body, false);
            return new Pending(method, ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** A request sent whose response is still to be read. */
    public static final class Pending implements AutoCloseable {
        private final String method;
        private final SocketChannel ch;

        Pending(String method, SocketChannel ch) { this.method = method; this.ch = ch; }

        public Response response() throws IOException {
            return readResponse(method, new BufferedInputStream(new ChannelIn(ch), 16384), ch);
        }

        @Override public void close() {
            try { ch.close(); } catch (IOException ignored) { /* abandoning the poll */ }
        }
    }

    /**
     * Docker's hijack: sends the request with {@code Connection: Upgrade} and {@code Upgrade: tcp},
     * accepts 101 (dockerd, berthd) or 200 (older servers answer a plain raw stream); after the head
     * the connection is a raw bidirectional byte stream. Other statuses come back as a Response in
     * {@link Hijack#error()} so the caller can map the daemon's message.
     */
    public Hijack hijack(String method, String target, Body.Bytes body) throws IOException {
        SocketChannel ch = connect();
        try {
            writeHead(ch, method, target, null, body, true);
            // Read the head byte by byte-buffered, but keep what is buffered: output may follow the head at once.
            BufferedInputStream in = new BufferedInputStream(new ChannelIn(ch), 16384);
            String statusLine;
            int status;
            Map<String, String> headers;
            do {
                statusLine = readLine(in);
                if (statusLine == null) throw new IOException("connection closed before a response arrived");
                String[] parts = statusLine.split(" ", 3);
                if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) throw new IOException("malformed HTTP status line: " + statusLine);
                try { status = Integer.parseInt(parts[1]); }
                catch (NumberFormatException e) { throw new IOException("malformed HTTP status line: " + statusLine); }
                headers = readHeaders(in);
            } while (status == 100);
            if (status == 101 || status == 200) return new Hijack(ch, in, new ChannelOut(ch), status, headers, null);
            // An error: re-frame the body the usual way.
            InputStream errBody;
            String cl = headers.get("content-length");
            if (headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked")) errBody = new ChunkedInputStream(in);
            else if (cl != null) errBody = new FixedLengthInputStream(in, Long.parseLong(cl.trim()));
            else errBody = in;
            return new Hijack(ch, in, null, status, headers, new Response(status, headers, errBody, ch));
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** A hijacked connection: read output from {@code in}, write stdin to {@code out}, half-close with {@link #closeWrite()}. */
    public record Hijack(SocketChannel channel, InputStream in, OutputStream out, int status, Map<String, String> headers,
                         Response error) implements AutoCloseable {
        /** Sends FIN on our side only: the process sees EOF on stdin while its output keeps coming. */
        public void closeWrite() throws IOException {
            if (channel.isOpen()) channel.shutdownOutput();
        }

        @Override public void close() {
            try { channel.close(); } catch (IOException ignored) { /* done with it */ }
        }
    }

    private SocketChannel connect() throws IOException {
        try { return SocketChannel.open(UnixDomainSocketAddress.of(socket)); }
        catch (IOException e) { throw new ConnectFailedException(socket, e); }
    }

    private static void writeHead(SocketChannel ch, String method, String target, Map<String, String> headers, Body.Bytes body,
                                  boolean upgrade) throws IOException {
        StringBuilder head = new StringBuilder(256);
        head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        head.append("Host: berth\r\nUser-Agent: berth-cli\r\n");
        head.append(upgrade ? "Connection: Upgrade\r\nUpgrade: tcp\r\n" : "Connection: close\r\n");
        if (headers != null) headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        if (body == null) head.append(upgrade ? "Content-Type: text/plain\r\n" : "").append("Content-Length: 0\r\n");
        else head.append("Content-Type: ").append(body.contentType()).append("\r\nContent-Length: ").append(body.data().length).append("\r\n");
        head.append("\r\n");
        ByteArrayOutputStream b = new ByteArrayOutputStream(head.length() + (body == null ? 0 : body.data().length));
        b.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) b.writeBytes(body.data());
        ByteBuffer buf = ByteBuffer.wrap(b.toByteArray());
        while (buf.hasRemaining()) ch.write(buf);
    }

    /**
     * Streams straight on the channel. Not {@link Channels#newInputStream}: on a blocking channel
     * those streams may serialise reads and writes on one lock, and a hijacked stream reads output
     * while another thread writes stdin.
     */
    static final class ChannelIn extends InputStream {
        private final SocketChannel ch;

        ChannelIn(SocketChannel ch) { this.ch = ch; }

        @Override public int read() throws IOException {
            byte[] one = new byte[1];
            int n;
            while ((n = read(one, 0, 1)) == 0) { /* blocking channel: 0 only for len 0 */ }
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            try { return ch.read(ByteBuffer.wrap(b, off, len)); }
            catch (java.nio.channels.AsynchronousCloseException e) { return -1; }
        }
    }

    static final class ChannelOut extends OutputStream {
        private final SocketChannel ch;

        ChannelOut(SocketChannel ch) { this.ch = ch; }

        @Override public void write(int b) throws IOException { write(new byte[]{(byte) b}, 0, 1); }

        @Override public void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(b, off, len);
            while (buf.hasRemaining()) ch.write(buf);
        }

        /** Closing stdin is a half-close, never a full close: output still has to arrive. */
        @Override public void close() throws IOException {
            if (ch.isOpen()) ch.shutdownOutput();
        }
    }

    private static void writeChunked(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[65536];
        int n;
        while ((n = in.read(buf)) > 0) {
            out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(buf, 0, n);
            out.write('\r'); out.write('\n');
        }
        out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }

    static Response readResponse(String method, InputStream in, AutoCloseable conn) throws IOException {
        String statusLine;
        int status;
        // 1xx interim responses (100 Continue) carry no body; skip them.
        do {
            statusLine = readLine(in);
            if (statusLine == null) throw new IOException("connection closed before a response arrived");
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1."))
                throw new IOException("malformed HTTP status line: " + statusLine);
            try { status = Integer.parseInt(parts[1]); }
            catch (NumberFormatException e) { throw new IOException("malformed HTTP status line: " + statusLine); }
            Map<String, String> headers = readHeaders(in);
            if (status >= 200 || status == 101) {
                InputStream body;
                String te = headers.getOrDefault("transfer-encoding", "");
                String cl = headers.get("content-length");
                if (method.equals("HEAD") || status == 204 || status == 304) body = InputStream.nullInputStream();
                else if (te.toLowerCase(Locale.ROOT).contains("chunked")) body = new ChunkedInputStream(in);
                else if (cl != null) {
                    try { body = new FixedLengthInputStream(in, Long.parseLong(cl.trim())); }
                    catch (NumberFormatException e) { throw new IOException("malformed Content-Length: " + cl); }
                } else body = in;
                return new Response(status, headers, body, conn);
            }
        } while (true);
    }

    static Map<String, String> readHeaders(InputStream in) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        String line;
        while ((line = readLine(in)) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            if (colon <= 0) throw new IOException("malformed HTTP header: " + line);
            headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(),
                    (a, b) -> a + ", " + b);
        }
        if (line == null) throw new IOException("connection closed inside the response headers");
        return headers;
    }

    /** Reads a CRLF- (or LF-) terminated line in ISO-8859-1; null at EOF before any byte. */
    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') break;
            if (b.size() > 65536) throw new IOException("HTTP line longer than 64 KiB");
            b.write(c);
        }
        if (c < 0 && b.size() == 0) return null;
        byte[] bytes = b.toByteArray();
        int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
    }

    /** Nothing accepted the connection: the socket file is missing or nobody listens on it. */
    public static final class ConnectFailedException extends IOException {
        public ConnectFailedException(Path socket, IOException cause) {
            super("connecting to " + socket + ": " + cause.getMessage(), cause);
        }
    }

    /** A response whose body is read as a stream; closing it closes the connection. */
    public record Response(int status, Map<String, String> headers, InputStream body, AutoCloseable conn) implements AutoCloseable {
        public String header(String name) { return headers.get(name.toLowerCase(Locale.ROOT)); }

        public byte[] readAll() throws IOException { return body.readAllBytes(); }

        @Override public void close() {
            try { conn.close(); } catch (Exception ignored) { /* closing a socket we are done with */ }
        }
    }

    /** Decodes chunked transfer encoding (RFC 9112 §7.1); trailers are read and dropped. */
    static final class ChunkedInputStream extends InputStream {
        private final InputStream in;
        private long remaining;
        private boolean eof;

        ChunkedInputStream(InputStream in) { this.in = in; }

        private boolean nextChunk() throws IOException {
            if (eof) return false;
            String line = readLine(in);
            if (line == null) throw new IOException("connection closed inside a chunked body");
            int semi = line.indexOf(';');
            String hex = (semi >= 0 ? line.substring(0, semi) : line).trim();
            try { remaining = Long.parseLong(hex, 16); }
            catch (NumberFormatException e) { throw new IOException("malformed chunk size: " + line); }
            if (remaining < 0) throw new IOException("malformed chunk size: " + line);
            if (remaining == 0) {
                eof = true;
                readHeaders(in); // trailers, ending with the empty line
                return false;
            }
            return true;
        }

        @Override public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            if (remaining == 0 && !nextChunk()) return -1;
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) throw new IOException("connection closed inside a chunk");
            remaining -= n;
            if (remaining == 0) {
                String crlf = readLine(in);
                if (crlf == null || !crlf.isEmpty()) throw new IOException("missing CRLF after chunk data");
            }
            return n;
        }

        @Override public int available() throws IOException { return (int) Math.min(remaining, in.available()); }
    }

    /** A body of known length; a premature EOF is an error, not a short body. */
    static final class FixedLengthInputStream extends InputStream {
        private final InputStream in;
        private long remaining;

        FixedLengthInputStream(InputStream in, long length) { this.in = in; this.remaining = length; }

        @Override public int read() throws IOException {
            if (remaining <= 0) return -1;
            int c = in.read();
            if (c < 0) throw new IOException("connection closed with " + remaining + " body bytes missing");
            remaining--;
            return c;
        }

        @Override public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) return -1;
            if (len == 0) return 0;
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) throw new IOException("connection closed with " + remaining + " body bytes missing");
            remaining -= n;
            return n;
        }
    }
}
