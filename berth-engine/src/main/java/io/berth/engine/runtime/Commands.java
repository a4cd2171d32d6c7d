package io.berth.engine.runtime;

import io.berth.api.BerthException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Argv for every runtime and conmon invocation, as pure functions of the configuration and the request
 * (so they are unit-tested without running anything).
 *
 * <h2>The conmon sync pipes</h2>
 * conmon reports through inherited pipes named by environment variables: {@code _OCI_SYNCPIPE} (one JSON
 * line {@code {"data": PID}} after the runtime created the process, or {@code {"data": -1, "message":
 * "runtime stderr"}} when it failed; for an exec a second line with the exit code),
 * {@code _OCI_ATTACHPIPE} ({@code {"data": 0}} once the attach socket listens) and
 * {@code _OCI_STARTPIPE} (conmon blocks reading it; with {@code --exec-attach} it reads it a second
 * time before running the exec, so a client can attach before the first byte of output).
 * {@link ProcessRunner#spawnConmon} puts the pipe we read on the child's fd 3 (sync and attach
 * messages) and the pipe we write on its fd 4 (start), which {@link #syncEnv} names. conmon marks both
 * close-on-exec, so the runtime and the container never inherit them.
 */
public final class Commands {
    private Commands() {}

    static final String SYNC_FD = "3", START_FD = "4";

    /** {@code RUNTIME --root ROOT ARGS...}: the runtime binary with its per-runtime state root. */
    public static List<String> runtime(RuntimeConfig cfg, String runtime, String... args) {
        List<String> argv = new ArrayList<>(List.of(cfg.runtimePath(runtime).toString(), "--root", cfg.runtimeRoot(runtime).toString()));
        argv.addAll(List.of(args));
        return argv;
    }

    public static List<String> start(RuntimeConfig cfg, String runtime, String id) { return runtime(cfg, runtime, "start", id); }

    public static List<String> state(RuntimeConfig cfg, String runtime, String id) { return runtime(cfg, runtime, "state", id); }

    /** {@code kill [--all] ID SIGNAL}; the signal as a number, which every runtime accepts. */
    public static List<String> kill(RuntimeConfig cfg, String runtime, String id, int signal, boolean all) {
        return all ? runtime(cfg, runtime, "kill", "--all", id, Integer.toString(signal))
                : runtime(cfg, runtime, "kill", id, Integer.toString(signal));
    }

    public static List<String> pause(RuntimeConfig cfg, String runtime, String id) { return runtime(cfg, runtime, "pause", id); }

    public static List<String> resume(RuntimeConfig cfg, String runtime, String id) { return runtime(cfg, runtime, "resume", id); }

    public static List<String> delete(RuntimeConfig cfg, String runtime, String id, boolean force) {
        return force ? runtime(cfg, runtime, "delete", "--force", id) : runtime(cfg, runtime, "delete", id);
    }

    /** {@code update --resources - ID}: the LinuxResources JSON comes on stdin. */
    public static List<String> update(RuntimeConfig cfg, String runtime, String id) {
        return runtime(cfg, runtime, "update", "--resources", "-", id);
    }

    public static List<String> list(RuntimeConfig cfg, String runtime) { return runtime(cfg, runtime, "list", "--format", "json"); }

    /**
     * conmon for a container's init process. conmon runs {@code RUNTIME --root ROOT create --bundle B
     * --pid-file P ID} itself; {@code -u ID} names the attach socket directory.
     */
    public static List<String> conmonCreate(RuntimeConfig cfg, String id, Path bundle, CreateOptions o) {
        List<String> argv = conmonCommon(cfg, o.runtime(), id, id, bundle, o.containerPidFile(), o.logPath(), o.exitDir(), o.socketDir());
        argv.addAll(List.of("-P", o.conmonPidFile().toString()));
        if (o.terminal()) argv.add("-t");
        if (o.openStdin()) {
            argv.add("-i");
            if (!o.stdinOnce()) argv.add("--leave-stdin-open");
        }
        if (o.logSizeMax() > 0) argv.addAll(List.of("--log-size-max", Long.toString(o.logSizeMax())));
        return argv;
    }

    /**
     * conmon for an exec session: its own directory {@code execDir} serves as the "bundle" (conmon puts
     * ctl, winsz and the attach socket there), its own log and exit directory (conmon names the exit
     * file after the container id, so two execs must not share one), and {@code --exec-attach} so that
     * the process starts only after the caller connected to the attach socket, and {@code --sync} so that
     * conmon stays the caller's child until the process ends (it still outlives the caller if that dies).
     */
    public static List<String> conmonExec(RuntimeConfig cfg, String runtime, String containerId, String execId, Path execDir,
                                          Path socketDir, ExecOptions o) {
        List<String> argv = conmonCommon(cfg, runtime, containerId, execId, execDir, execDir.resolve("pid"),
                execDir.resolve("log"), execDir.resolve("exit"), socketDir);
        argv.addAll(List.of("-e", "--exec-attach", "--exec-process-spec", execDir.resolve("process.json").toString(), "--sync"));
        if (o.terminal()) argv.add("-t");
        if (o.stdin()) argv.add("-i");
        return argv;
    }

    private static List<String> conmonCommon(RuntimeConfig cfg, String runtime, String id, String uuid, Path bundle, Path pidFile,
                                             Path log, Path exitDir, Path socketDir) {
        return new ArrayList<>(List.of(cfg.conmon().toString(), "--api-version", "1",
                "-c", id, "-u", uuid, "-n", id,
                "-r", cfg.runtimePath(runtime).toString(),
                "--runtime-arg", "--root", "--runtime-arg", cfg.runtimeRoot(runtime).toString(),
                "-b", bundle.toString(), "-p", pidFile.toString(),
                "-l", "k8s-file:" + log, "--exit-dir", exitDir.toString(), "--socket-dir-path", socketDir.toString(),
                // conmon's default "info" goes to syslog; keep the host journal quiet
                "--log-level", "error"));
    }

    /** The environment naming the pipes of {@link ProcessRunner#spawnConmon}; {@code exec} adds the attach and start pipes. */
    public static Map<String, String> syncEnv(boolean exec) {
        return exec ? Map.of("_OCI_SYNCPIPE", SYNC_FD, "_OCI_ATTACHPIPE", SYNC_FD, "_OCI_STARTPIPE", START_FD)
                : Map.of("_OCI_SYNCPIPE", SYNC_FD);
    }

    private static final Pattern LOGRUS_MSG = Pattern.compile("msg=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /**
     * The human part of a runtime's error output. runc logs through logrus ({@code time=".." level=error
     * msg="runc create failed: .."}); the quoted msg is unescaped. Other output is returned stripped.
     */
    public static String runtimeMessage(String output) {
        if (output == null) return "";
        Matcher m = LOGRUS_MSG.matcher(output);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            if (!sb.isEmpty()) sb.append("; ");
            sb.append(m.group(1).replaceAll("\\\\(.)", "$1"));
        }
        return sb.isEmpty() ? output.strip() : sb.toString();
    }

    /** Maps a runtime's message to the error vocabulary; callers above map that to HTTP and exit codes. */
    static BerthException.Kind kindOf(String msg) {
        String m = msg.toLowerCase(Locale.ROOT);
        if (m.contains("does not exist") || m.contains("container not found")) return BerthException.Kind.NOT_FOUND;
        if (m.contains("executable file not found") || m.contains("no such file or directory") || m.contains("permission denied"))
            return BerthException.Kind.INVALID_ARGUMENT;
        if (m.contains("not running") || m.contains("not paused") || m.contains("is paused") || m.contains("already exists")
                || m.contains("has stopped") || m.contains("cannot") || m.contains("is not")) return BerthException.Kind.CONFLICT;
        return BerthException.Kind.INTERNAL;
    }
}
