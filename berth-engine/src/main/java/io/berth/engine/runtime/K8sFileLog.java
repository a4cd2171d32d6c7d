package io.berth.engine.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Reads conmon's k8s-file log: one record per line, {@code TIME STREAM TAG TEXT}, with TIME in RFC 3339
 * with nanoseconds and an offset ({@code 2026-11-23T15:45:13.201506976+00:00}), STREAM {@code stdout}
 * or {@code stderr}, TAG {@code F} for a record that ends a line and {@code P} for a piece of a longer
 * one (conmon reads at most 8 KiB at a time, and a line may be split across reads).
 *
 * <p>Pieces are joined per stream into one {@link LogEntry} timed at its first piece. A final piece with
 * no {@code F} (output without a trailing newline) is returned as is once the log is complete.
 */
public final class K8sFileLog {
    /** Receives entries; return false to stop reading (client gone). */
    @FunctionalInterface
    public interface Sink {
        boolean accept(LogEntry e) throws IOException;
    }

    private K8sFileLog() {}

    /** Every entry matching {@code q} (follow is ignored). */
    public static List<LogEntry> read(Path log, LogQuery q) {
        List<LogEntry> out = new ArrayList<>();
        try {
            stream(log, q.withFollow(false), () -> true, out::add, Duration.ZERO);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /**
     * Sends the matching entries to {@code sink}. With {@code q.follow()} it then waits for new records,
     * polling every {@code poll}, until {@code finished} says the writer is done (the container exited
     * and conmon closed the log), the file is drained after that, {@code until} has passed, the sink
     * returns false, or the thread is interrupted.
     */
    public static void stream(Path log, LogQuery q, BooleanSupplier finished, Sink sink, Duration poll) throws IOException {
        Reader r = new Reader(q);
        ArrayDeque<LogEntry> tail = q.tail() >= 0 ? new ArrayDeque<>() : null;
        Sink first = tail == null ? sink : e -> {
            if (q.tail() == 0) return true;
            if (tail.size() == q.tail()) tail.removeFirst();
            tail.addLast(e);
            return true;
        };
        FileChannel ch = open(log);
        try {
            boolean done = !q.follow() || finished.getAsBoolean();
            // Backlog: everything up to the current end of the file.
            if (ch != null && !r.drain(ch, first)) return;
            if (tail != null) {
                for (LogEntry e : tail) if (!sink.accept(e)) return;
            }
            if (!q.follow()) {
                r.flushPartials(sink);
                return;
            }
            for (;;) {
                if (ch == null) ch = open(log);
                if (ch != null) {
                    if (ch.size() < r.position) { // truncated by rotation: start over
                        r.position = 0;
                        r.pending.reset();
                    }
                    if (!r.drain(ch, sink)) return;
                }
                if (done) {
                    r.flushPartials(sink);
                    return;
                }
                if (q.until() != null && Instant.now().isAfter(q.until())) return;
                // Read "finished" before the next drain, so that output written just before the end is read.
                done = finished.getAsBoolean();
                if (!done) {
                    try {
                        Thread.sleep(poll);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        } finally {
            if (ch != null) ch.close();
        }
    }

    private static FileChannel open(Path log) throws IOException {
        try {
            return FileChannel.open(log, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** One record of the file. */
    record Record(Instant time, StdStream stream, boolean partial, byte[] text) {}

    /** Parses one line without its newline; null when it is not a k8s-file record. */
    static Record parse(byte[] line, int off, int len) {
        int s1 = indexOf(line, off, off + len, (byte) ' ');
        if (s1 < 0) return null;
        int s2 = indexOf(line, s1 + 1, off + len, (byte) ' ');
        if (s2 < 0) return null;
        int end = off + len;
        int s3 = indexOf(line, s2 + 1, end, (byte) ' ');
        int tagEnd = s3 < 0 ? end : s3;
        Instant t;
        try {
            t = OffsetDateTime.parse(new String(line, off, s1 - off, StandardCharsets.US_ASCII)).toInstant();
        } catch (java.time.DateTimeException e) {
            return null;
        }
        String stream = new String(line, s1 + 1, s2 - s1 - 1, StandardCharsets.US_ASCII);
        StdStream st = switch (stream) {
            case "stdout" -> StdStream.STDOUT;
            case "stderr" -> StdStream.STDERR;
            default -> null;
        };
        if (st == null) return null;
        boolean partial = tagEnd - s2 - 1 == 1 && line[s2 + 1] == 'P';
        byte[] text = s3 < 0 ? new byte[0] : java.util.Arrays.copyOfRange(line, s3 + 1, end);
        return new Record(t, st, partial, text);
    }

    private static int indexOf(byte[] b, int from, int to, byte c) {
        for (int i = from; i < to; i++) if (b[i] == c) return i;
        return -1;
    }

    /** Incremental reader: complete lines only, pieces joined per stream. */
    private static final class Reader {
        final LogQuery q;
        long position;
        final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        final Map<StdStream, Partial> partials = new EnumMap<>(StdStream.class);
        final ByteBuffer buf = ByteBuffer.allocate(64 * 1024);

        Reader(LogQuery q) { this.q = q; }

        record Partial(Instant time, ByteArrayOutputStream data) {}

        /** Reads from {@link #position} to the end of the file; false when the sink asked to stop. */
        boolean drain(FileChannel ch, Sink sink) throws IOException {
            for (;;) {
                buf.clear();
                int n = ch.read(buf, position);
                if (n <= 0) return true;
                position += n;
                byte[] a = buf.array();
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (a[i] != '\n') continue;
                    boolean go;
                    if (pending.size() > 0) {
                        pending.write(a, start, i - start);
                        byte[] line = pending.toByteArray();
                        pending.reset();
                        go = line(line, 0, line.length, sink);
                    } else {
                        go = line(a, start, i - start, sink);
                    }
                    if (!go) return false;
                    start = i + 1;
                }
                pending.write(a, start, n - start);
            }
        }

        boolean line(byte[] b, int off, int len, Sink sink) throws IOException {
            Record r = parse(b, off, len);
            if (r == null) return true;
            Partial p = partials.get(r.stream());
            if (r.partial()) {
                if (p == null) partials.put(r.stream(), p = new Partial(r.time(), new ByteArrayOutputStream()));
                p.data().writeBytes(r.text());
                return true;
            }
            Instant t = r.time();
            ByteArrayOutputStream data = new ByteArrayOutputStream(r.text().length + 1);
            if (p != null) {
                partials.remove(r.stream());
                t = p.time();
                data.writeBytes(p.data().toByteArray());
            }
            data.writeBytes(r.text());
            data.write('\n');
            return emit(new LogEntry(t, r.stream(), data.toByteArray()), sink);
        }

        boolean emit(LogEntry e, Sink sink) throws IOException {
            return !q.wants(e) || sink.accept(e);
        }

        void flushPartials(Sink sink) throws IOException {
            for (Map.Entry<StdStream, Partial> p : partials.entrySet()) {
                if (!emit(new LogEntry(p.getValue().time(), p.getKey(), p.getValue().data().toByteArray()), sink)) break;
            }
            partials.clear();
        }
    }
}
