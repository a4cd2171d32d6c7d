package io.berth.server.http;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A chunked response body as an OutputStream, started lazily: the status line goes out with the
 * first buffered bytes, so a producer that fails before writing anything (no such image) can still
 * be answered with an error status. Data is sent in chunks of up to {@code bufferSize} bytes.
 */
public final class ResponseOutputStream extends OutputStream {
    private final HttpExchange exchange;
    private final int status;
    private final String contentType;
    private final byte[] buf;
    private int count;
    private HttpExchange.ChunkedResponse out;
    private boolean closed;

    public ResponseOutputStream(HttpExchange exchange, int status, String contentType, int bufferSize) {
        this.exchange = exchange;
        this.status = status;
        this.contentType = contentType;
        this.buf = new byte[bufferSize];
    }

    /** True once the response head has been sent; from then on errors can only abort the connection. */
    public boolean started() { return out != null; }

    @Override public void write(int b) throws IOException {
        if (count == buf.length) drain();
        buf[count++] = (byte) b;
    }

    @Override public void write(byte[] b, int off, int len) throws IOException {
        if (closed) throw new IOException("response stream is closed");
        while (len > 0) {
            if (count == buf.length) drain();
            int n = Math.min(len, buf.length - count);
            System.arraycopy(b, off, buf, count, n);
            count += n;
            off += n;
            len -= n;
        }
    }

    /** Sends what is buffered; a flush with nothing buffered does not start the response. */
    @Override public void flush() throws IOException {
        if (count > 0) drain();
    }

    @Override public void close() throws IOException {
        if (closed) return;
        flush();
        if (out == null) out = exchange.startChunked(status, contentType);
        out.end();
        closed = true;
    }

    private void drain() throws IOException {
        if (out == null) out = exchange.startChunked(status, contentType);
        out.write(buf, 0, count);
        count = 0;
    }
}
