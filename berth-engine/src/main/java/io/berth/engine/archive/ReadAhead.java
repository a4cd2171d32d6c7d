package io.berth.engine.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads a source stream on its own (virtual) thread, up to {@link #DEPTH} chunks ahead of the
 * consumer. Used for decompression so that inflating a layer overlaps with hashing it and writing
 * its files. Errors from the source reach the consumer in order, after the data before them.
 * Closing stops the reader and closes the source.
 */
final class ReadAhead extends InputStream {
    private static final int CHUNK = 256 * 1024;
    private static final int DEPTH = 6;

    private record Chunk(byte[] data, int length, Throwable error) {
        static final Chunk EOF = new Chunk(null, -1, null);
    }

    private final InputStream source;
    private final ArrayBlockingQueue<Chunk> ready = new ArrayBlockingQueue<>(DEPTH);
    private final ArrayBlockingQueue<byte[]> spare = new ArrayBlockingQueue<>(DEPTH + 2);
    private final Thread reader;
    private volatile boolean closed;
    private Chunk current;
    private int pos;

    ReadAhead(InputStream source, String what) {
        this.source = source;
        this.reader = Thread.ofVirtual().name("berth-" + what + "-read-ahead").start(this::produce);
    }

    private void produce() {
        try {
            while (!closed) {
                byte[] buf = spare.poll();
                if (buf == null) buf = new byte[CHUNK];
                int n = source.readNBytes(buf, 0, CHUNK); // short only at the end
                if (n > 0) offer(new Chunk(buf, n, null));
                if (n < CHUNK) {
                    offer(Chunk.EOF);
                    return;
                }
            }
        } catch (Throwable t) {
            offer(new Chunk(null, -1, t));
        }
    }

    private void offer(Chunk c) {
        try {
            while (!closed) {
                if (ready.offer(c, 100, TimeUnit.MILLISECONDS)) return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean fill() throws IOException {
        if (current != null && pos < current.length) return true;
        if (current == Chunk.EOF) return false;
        if (current != null && current.data != null) spare.offer(current.data);
        try {
            current = ready.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading a decompressed layer");
        }
        pos = 0;
        if (current.error != null) {
            Throwable t = current.error;
            current = Chunk.EOF;
            if (t instanceof IOException io) throw new IOException(io.getMessage(), io);
            if (t instanceof RuntimeException r) throw r;
            if (t instanceof Error err) throw err;
            throw new IOException(t);
        }
        return current != Chunk.EOF;
    }

    @Override
    public int read() throws IOException {
        if (closed) throw new IOException("stream closed");
        if (!fill()) return -1;
        return current.data[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) throw new IOException("stream closed");
        if (len == 0) return 0;
        if (!fill()) return -1;
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current.data, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public int available() {
        return current == null || current.data == null ? 0 : current.length - pos;
    }

    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        ready.clear();
        reader.interrupt();
        // The decompressors synchronise read and close, so this is safe while the reader is busy.
        source.close();
    }
}
