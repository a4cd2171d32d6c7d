package io.berth.engine.container;

import io.berth.api.BerthException;
import io.berth.api.container.AttachSession;
import io.berth.api.container.ExecDetails;
import io.berth.api.container.ExecSpec;
import io.berth.engine.oci.HostInfo;
import io.berth.engine.oci.SpecContext;
import io.berth.engine.oci.SpecOpts;
import io.berth.engine.runtime.ConmonRuntime;
import io.berth.engine.runtime.ExecOptions;
import io.berth.engine.runtime.ExecProcess;
import io.berth.engine.sys.Trace;
import io.berth.spec.runtime.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * Docker's exec instances: create (a record only, as in Docker), start (conmon runs {@code runc exec}
 * in the container's namespaces, see {@link ConmonRuntime#exec}), resize, inspect, and their end
 * when the container is removed.
 *
 * <p>Execs live in memory only, as in dockerd: after a daemon restart the IDs are gone (a process that
 * was running keeps running under its conmon, and its exit is not reported any more). The container
 * side is reached through {@link Containers}, so this class knows nothing of the container table or
 * its locks.
 */
final class ExecSessions {
    private static final System.Logger LOG = System.getLogger(ExecSessions.class.getName());

    /** What execs need from the containers they run in. */
    interface Containers {
        /**
         * Runs {@code action} with the full ID of the container {@code ref} names while it is running
         * and cannot change state (under its lock). Throws not found for no such container, and a
         * conflict when it is paused or not running.
         */
        <T> T whileRunning(String ref, Function<String, T> action);

        /** Publishes a container event ({@code exec_create: CMD}, {@code exec_start: CMD}, {@code exec_die}). */
        void emit(String containerId, String action, Map<String, String> attributes);
    }

    private static final class Exec {
        final String id, containerId;
        final ExecSpec spec;
        volatile ExecProcess process;
        volatile Integer exitCode;
        volatile boolean started;

        Exec(String id, String containerId, ExecSpec spec) {
            this.id = id;
            this.containerId = containerId;
            this.spec = spec;
        }
    }

    private final ConmonRuntime runtime;
    private final Path containersDir;
    private final HostInfo host;
    private final Containers containers;
    private final Map<String, Exec> execs = new ConcurrentHashMap<>();
    /** Exec IDs per container in creation order: Docker's {@code ExecIDs} in inspect, and what removal ends. */
    private final Map<String, List<String>> byContainer = new ConcurrentHashMap<>();

    ExecSessions(ConmonRuntime runtime, Path containersDir, HostInfo host, Containers containers) {
        this.runtime = runtime;
        this.containersDir = containersDir;
        this.host = host;
        this.containers = containers;
    }

    /** {@code POST /containers/{id}/exec}: records the exec (nothing runs yet) and returns its ID. */
    String create(String ref, ExecSpec spec) {
        if (spec == null || spec.cmd() == null || spec.cmd().isEmpty()) throw BerthException.invalid("No exec command specified");
        return containers.whileRunning(ref, cid -> {
            String id = Names.newId();
            execs.put(id, new Exec(id, cid, spec));
            byContainer.computeIfAbsent(cid, k -> new CopyOnWriteArrayList<>()).add(id);
            containers.emit(cid, "exec_create: " + String.join(" ", spec.cmd()), Map.of("execID", id));
            return id;
        });
    }

    /** {@code POST /exec/{id}/start}: runs the process once; detached, the session reads nothing. */
    AttachSession start(String execId, boolean detach, boolean tty) {
        Exec x = exec(execId);
        ExecSpec s = x.spec;
        boolean terminal = s.tty() || tty;
        byte[] process;
        synchronized (x) {
            if (x.started) throw BerthException.conflict("Error: Exec command %s has already run", execId);
            process = containers.whileRunning(x.containerId, cid -> processJson(cid, s, terminal));
            x.started = true;
        }
        Trace.Laps t = Trace.laps("exec-start", x.containerId);
        ExecProcess p = runtime.exec(x.containerId, execId, process, new ExecOptions(terminal, s.attachStdin() && !detach));
        t.end();
        x.process = p;
        containers.emit(x.containerId, "exec_start: " + String.join(" ", s.cmd()), Map.of("execID", execId));
        p.onExit().whenComplete((code, err) -> {
            if (code != null) x.exitCode = code;
            containers.emit(x.containerId, "exec_die",
                    code == null ? Map.of("execID", execId) : Map.of("execID", execId, "exitCode", Integer.toString(code)));
            // The exit code is read: conmon's exec directory and socket link are no longer needed
            // (a connected attach keeps working without the socket file).
            forgetRuntime(x);
        });
        if (detach) {
            p.attach().close();
            return new AttachSession() {
                @Override public Frame read() { return null; }
                @Override public java.io.OutputStream stdin() { return null; }
                @Override public boolean tty() { return terminal; }
                @Override public Integer exitCode() { return x.exitCode; }
                @Override public void close() { }
            };
        }
        if (s.consoleSize() != null && s.consoleSize().size() == 2 && terminal) {
            try {
                p.resize(s.consoleSize().get(0), s.consoleSize().get(1));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "initial console size of exec " + execId + ": " + e.getMessage());
            }
        }
        return new Sessions.ExecAttach(p, terminal, s.attachStdin(), code -> x.exitCode = code);
    }

    void resize(String execId, int height, int width) {
        ExecProcess p = exec(execId).process;
        if (p == null) throw BerthException.conflict("Exec %s is not running", execId);
        p.resize(height, width);
    }

    ExecDetails inspect(String execId) {
        Exec x = exec(execId);
        ExecProcess p = x.process;
        boolean running = x.started && x.exitCode == null;
        return new ExecDetails(x.id, x.containerId, running, x.exitCode, p == null ? 0 : p.pid(), x.spec, x.spec.attachStdin());
    }

    /** The container's exec IDs, oldest first. */
    List<String> ids(String containerId) {
        List<String> l = byContainer.get(containerId);
        return l == null ? List.of() : List.copyOf(l);
    }

    /** At the container's removal: its execs' streams are closed and their runtime files forgotten. */
    void forgetContainer(String containerId) {
        List<String> l = byContainer.remove(containerId);
        if (l == null) return;
        for (String e : l) {
            Exec x = execs.remove(e);
            if (x == null) continue;
            if (x.process != null) x.process.close();
            forgetRuntime(x);
        }
    }

    private void forgetRuntime(Exec x) {
        try {
            runtime.forgetExec(x.containerId, x.id);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "forgetting exec " + x.id + ": " + e.getMessage());
        }
    }

    private Exec exec(String id) {
        Exec x = id == null ? null : execs.get(id);
        if (x == null) throw BerthException.notFound("No such exec instance: %s", id);
        return x;
    }

    /** The exec's runtime-spec Process: the container's, with the exec's args, env, user, cwd and terminal. */
    private byte[] processJson(String containerId, ExecSpec s, boolean terminal) {
        Path dir = containersDir.resolve(containerId);
        try {
            Spec spec = ContainerStore.JSON.readValue(dir.resolve("config.json").toFile(), Spec.class);
            List<String> env = new ArrayList<>(spec.process().env() == null ? List.of() : spec.process().env());
            SpecContext ctx = new SpecContext(containerId, dir.resolve("rootfs"), host);
            spec = SpecOpts.args(s.cmd()).apply(spec, ctx);
            spec = SpecOpts.env(SpecOpts.dockerEnv(env, s.env(), null, terminal)).apply(spec, ctx);
            spec = SpecOpts.terminal(terminal, null).apply(spec, ctx);
            if (s.workingDir() != null && !s.workingDir().isEmpty()) spec = SpecOpts.cwd(s.workingDir()).apply(spec, ctx);
            if (s.user() != null && !s.user().isEmpty()) spec = SpecOpts.user(s.user(), null).apply(spec, ctx);
            if (s.privileged()) spec = SpecOpts.capabilities(true, null, null).apply(spec, ctx);
            return ContainerStore.JSON.writeValueAsBytes(spec.process());
        } catch (IOException e) {
            throw BerthException.internal("preparing exec in container " + containerId + ": " + e.getMessage(), e);
        }
    }
}
