package io.berth.engine.runtime;

import java.time.Instant;

/**
 * Which log entries to return, with Docker's logs parameters.
 *
 * @param since  only entries at or after this time (null: from the start)
 * @param until  only entries before this time (null: no end); with follow, the stream ends when the
 *               clock passes it
 * @param tail   only the last N matching entries before following; negative for all
 */
public record LogQuery(boolean stdout, boolean stderr, Instant since, Instant until, int tail, boolean follow) {
    public static final LogQuery ALL = new LogQuery(true, true, null, null, -1, false);

    public LogQuery withFollow(boolean f) { return new LogQuery(stdout, stderr, since, until, tail, f); }

    public LogQuery withTail(int n) { return new LogQuery(stdout, stderr, since, until, n, follow); }

    public LogQuery withSince(Instant t) { return new LogQuery(stdout, stderr, t, until, tail, follow); }

    public LogQuery withUntil(Instant t) { return new LogQuery(stdout, stderr, since, t, tail, follow); }

    public LogQuery withStreams(boolean out, boolean err) { return new LogQuery(out, err, since, until, tail, follow); }

    boolean wants(LogEntry e) {
        if (e.stream() == StdStream.STDOUT ? !stdout : !stderr) return false;
        if (since != null && e.time().isBefore(since)) return false;
        return until == null || e.time().isBefore(until);
    }
}
