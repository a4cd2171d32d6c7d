package io.berth.engine.sys;

/**
 * Phase timing for latency work, off by default: with {@code BERTH_TRACE=1} in berthd's environment
 * (or {@code -Dberth.trace=true}) each {@link Laps} logs one line when it ends, e.g.
 * {@code trace start 3f2a91c0b7e4: mount 4.1 spec 2.3 conmon-create 61.0 runc-start 18.2 total 88.0 ms}.
 * When off, {@link #laps} returns a shared no-op and costs one field read: the calls stay in the
 * code paths they measure, so the breakdown can be taken again on any build.
 */
public final class Trace {
    private static final System.Logger LOG = System.getLogger("io.berth.trace");
    /** Read once: tracing is a property of the daemon's start, not switched at run time. */
    public static final boolean ON = enabled(System.getenv("BERTH_TRACE")) || Boolean.getBoolean("berth.trace");

    private Trace() {}

    static boolean enabled(String v) {
        return v != null && !v.isEmpty() && !v.equals("0") && !v.equalsIgnoreCase("false");
    }

    /** Starts timing an operation on an object (a container id: its first 12 characters are logged). */
    public static Laps laps(String operation, String id) {
        return ON ? new Laps(operation, id) : Laps.OFF;
    }

    /** Logs one fact about an operation on an object, when tracing is on. */
    public static void note(String operation, String id, String text) {
        if (ON) LOG.log(System.Logger.Level.INFO, "trace " + operation + " " + (id.length() > 12 ? id.substring(0, 12) : id) + ": " + text);
    }

    /** Consecutive phases of one operation; not thread-safe (one operation, one thread). */
    public static final class Laps {
        static final Laps OFF = new Laps();
        private final String operation, id;
        private final StringBuilder line;
        private final long t0;
        private long last;
        private boolean done;

        private Laps() {
            operation = id = null;
            line = null;
            t0 = 0;
            done = true;
        }

        private Laps(String operation, String id) {
            this.operation = operation;
            this.id = id == null ? "-" : id.length() > 12 ? id.substring(0, 12) : id;
            this.line = new StringBuilder();
            this.t0 = this.last = System.nanoTime();
        }

        /** Ends the current phase, naming it. */
        public void lap(String phase) {
            if (done) return;
            long now = System.nanoTime();
            line.append(' ').append(phase).append(' ').append(ms(now - last));
            last = now;
        }

        /** Ends the operation (idempotent) and logs the line; phases after the last {@link #lap} are "rest". */
        public void end() {
            if (done) return;
            done = true;
            long now = System.nanoTime();
            if (now - last > 50_000) line.append(" rest ").append(ms(now - last));
            LOG.log(System.Logger.Level.INFO, "trace " + operation + " " + id + ":" + line + " total " + ms(now - t0) + " ms");
        }

        private static String ms(long nanos) {
            return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e6);
        }
    }
}
