package io.berth.daemon;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.text.MessageFormat;
import java.time.Instant;
import java.util.ResourceBundle;
import java.util.function.Supplier;

/**
 * berthd's logging: every System.Logger line goes to stderr as one line with an RFC 3339 UTC
 * timestamp, level and logger, e.g. {@code 2026-11-23T15:10:00.123Z INFO  io.berth.daemon: stopped}.
 * Registered as a LoggerFinder service (META-INF/services) so no logging library is needed, and,
 * unlike java.util.logging, not torn down by its own shutdown hook while ours still logs.
 */
public final class StderrLoggerFinder extends System.LoggerFinder {
    private static volatile boolean debug;

    public static void setDebug(boolean on) { debug = on; }

    @Override public System.Logger getLogger(String name, Module module) { return new StderrLogger(name); }

    private record StderrLogger(String name) implements System.Logger {
        @Override public String getName() { return name; }

        @Override public boolean isLoggable(Level level) {
            return level != Level.OFF && level.getSeverity() >= (debug ? Level.DEBUG : Level.INFO).getSeverity();
        }

        @Override public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            if (isLoggable(level)) write(level, msg, thrown);
        }

        @Override public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            if (!isLoggable(level)) return;
            String msg = params == null || params.length == 0 ? format : MessageFormat.format(format, params);
            write(level, msg, null);
        }

        @Override public void log(Level level, Supplier<String> msgSupplier) {
            if (isLoggable(level)) write(level, msgSupplier.get(), null);
        }

        private void write(Level level, String msg, Throwable thrown) {
            StringBuilder sb = new StringBuilder(128).append(Instant.now()).append(' ')
                    .append(String.format("%-5s", level == Level.WARNING ? "WARN" : level.getName()))
                    .append(' ').append(name).append(": ").append(msg);
            if (thrown != null) {
                StringWriter w = new StringWriter();
                thrown.printStackTrace(new PrintWriter(w));
                sb.append(System.lineSeparator()).append(w.toString().stripTrailing());
            }
            PrintStream err = System.err;
            synchronized (err) { err.println(sb); }
        }
    }
}
