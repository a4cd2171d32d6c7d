package io.berth.daemon;

import io.berth.api.BerthException;
import io.berth.engine.Engine;
import io.berth.engine.EngineConfig;
import io.berth.engine.NativeEngine;


/**
 * Entry point of berthd ({@code berth daemon --root DIR --host unix:///PATH.sock --config FILE}).
 * Exit status: 0 after a clean shutdown, 1 when the daemon cannot start, 2 for a bad command line;
 * SIGTERM/SIGINT run the graceful shutdown (the JVM then exits 143/130).
 */
public final class DaemonMain {
    private static final System.Logger LOG = System.getLogger("io.berth.daemon");

    private DaemonMain() {}

    public static void main(String[] args) {
        // Netty logs through java.util.logging: one line with a timestamp, like our own lines.
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null)
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL%1$tz %4$-5s %3$s: %5$s%6$s%n");
        int code = run(args, DaemonMain::openNativeEngine);
        if (code != 0) System.exit(code);
    }

    /** Runs berthd until it is shut down; tests pass their own engine factory. */
    public static int run(String[] args, EngineFactory engines) {
        DaemonOptions options;
        try {
            options = DaemonOptions.parse(args);
        } catch (DaemonOptions.UsageException e) {
            if (e.getMessage() == null) { System.out.print(DaemonOptions.USAGE); return 0; }
            System.err.println("berth daemon: " + e.getMessage());
            System.err.print(DaemonOptions.USAGE);
            return 2;
        }
        StderrLoggerFinder.setDebug(options.debug());
        Daemon daemon;
        try {
            daemon = Daemon.start(options, engines);
        } catch (DaemonException e) {
            LOG.log(System.Logger.Level.ERROR, "berthd cannot start: " + e.getMessage());
            if (options.debug() && e.getCause() != null) LOG.log(System.Logger.Level.DEBUG, "cause", e.getCause());
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(daemon::close, "berthd-shutdown"));
        try {
            daemon.awaitClose();
        } catch (InterruptedException e) {
            daemon.close();
        }
        return 0;
    }

    /**
     * The engine berthd serves. Looked up reflectively only until io.berth.engine.NativeEngine is
     * merged; then this body becomes the one line {@code return NativeEngine.open(config);}.
     */
    static Engine openNativeEngine(EngineConfig config) {
        return NativeEngine.open(config);
    }

    /** Berth's version as the jar manifest states it, or "dev" when run from classes. */
    public static String version() {
        String v = DaemonMain.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-dev" : v;
    }
}
