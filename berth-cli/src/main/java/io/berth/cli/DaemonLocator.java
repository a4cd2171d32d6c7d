package io.berth.cli;

import io.berth.client.BerthClient;
import io.berth.client.UnreachableException;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Finds berthd: {@code --host/-H}, then {@code BERTH_HOST}, then {@code unix:///run/berth/berth.sock}.
 *
 * <p>{@code DOCKER_HOST} is deliberately not consulted: many users have it pointing at dockerd
 * (or a remote engine), and a berth command silently acting on another engine's images, or
 * failing to start berthd because the variable happened to be set, would surprise them. Talking
 * to dockerd is one explicit {@code -H unix:///var/run/docker.sock} away.
 *
 * <p>When nothing answers at the <em>default</em> socket and the user is root, berthd is started
 * in the background through the launcher ({@code $BERTH_LAUNCHER daemon}), in its own session
 * (setsid) so it outlives the CLI and the terminal's signals, with output to a log file.
 * An explicitly named host is never auto-started: the user asked for that one.
 */
final class DaemonLocator {
    static final Path LOG_DIR = Path.of("/var/log/berth");
    private static final long START_TIMEOUT_MS = 15_000;

    record Target(String host, boolean explicit) { }

    static Target resolve(String flagHost, Map<String, String> env) {
        if (flagHost != null && !flagHost.isEmpty()) return new Target(flagHost, true);
        String e = env.get("BERTH_HOST");
        if (e != null && !e.isEmpty()) return new Target(e, true);
        return new Target(BerthClient.DEFAULT_HOST, false);
    }

    /** user.name comes from getpwuid(getuid()) in the JDK: no process spawn (`id -u` costs ~5 ms). */
    static boolean isRoot() { return "root".equals(System.getProperty("user.name")); }

    /** Returns a client whose daemon answered /_ping, starting berthd first if allowed and needed. */
    static BerthClient connect(Target t, Map<String, String> env, PrintStream err) {
        BerthClient c = new BerthClient(t.host());
        try {
            c.ping();
            return c;
        } catch (UnreachableException e) {
            if (t.explicit() || !isRoot()) throw e;
        }
        start(c, env.get("BERTH_LAUNCHER"), err);
        return c;
    }

    private static void start(BerthClient c, String launcher, PrintStream err) {
        if (launcher == null || launcher.isEmpty())
            throw new CliException("Cannot connect to berthd at " + c.host() + " and cannot start one: BERTH_LAUNCHER is not set"
                    + " (run berth through its ./berth launcher, or start `berth daemon` yourself)");
        Path log = LOG_DIR.resolve("berthd.log");
        Process p;
        try {
            Files.createDirectories(LOG_DIR);
            ProcessBuilder pb = new ProcessBuilder(List.of("setsid", launcher, "daemon"))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectErrorStream(true);
            p = pb.start();
        } catch (IOException e) {
            throw new CliException("starting berthd (" + launcher + " daemon): " + e.getMessage());
        }
        err.println("berth: started berthd in the background (log: " + log + ")");
        err.flush();
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (true) {
            try {
                c.ping();
                return;
            } catch (UnreachableException e) {
                if (!p.isAlive() && p.exitValue() != 0)
                    throw new CliException("berthd exited with status " + p.exitValue() + " while starting; see " + log);
                if (System.currentTimeMillis() > deadline)
                    throw new CliException("berthd did not answer at " + c.host() + " within " + START_TIMEOUT_MS / 1000 + " s; see " + log);
            }
            try { Thread.sleep(50); } catch (InterruptedException ie) { Thread.currentThread().interrupt(); throw new CliException("interrupted"); }
        }
    }
}
