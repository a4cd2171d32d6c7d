package io.berth.api.container;

import io.berth.api.BerthException;
import java.util.List;

/**
 * Containers: create, run, stop, inspect, attach, exec, logs. Implemented natively by the engine
 * (runc through conmon: containers outlive the daemon) and remotely by the client over the Docker API.
 *
 * <p>References are a full 64-hex ID, a unique ID prefix, or a name with or without the leading
 * "/". Every method throws {@link io.berth.api.BerthException}: NOT_FOUND "No such container: REF",
 * CONFLICT for an impossible state transition (the message names the current state, e.g.
 * "Container 3f… is not running"), NOT_MODIFIED when already in the requested state (start of a
 * running container, stop of a stopped one), INVALID_ARGUMENT for bad options.
 *
 * <p>State machine (see {@link ContainerState.Status}): created → running ⇄ paused; running →
 * exited (process ended, stop, kill); exited → running (start, restart); any → removing → gone.
 *
 * <pre>{@code
 * String id = containers.create(ContainerSpec.of("busybox", List.of("echo", "hi"))).id();
 * try (AttachSession io = containers.attach(id, AttachOptions.OUTPUT)) {
 *     containers.start(id);
 *     io.output().transferTo(System.out);      // raw frames or plain bytes: see AttachSession
 * }
 * int code = containers.wait(id, WaitCondition.NOT_RUNNING).statusCode();
 * }</pre>
 */
public interface ContainerEngine {
    CreateReport create(ContainerSpec spec);

    void start(String ref);

    /** Sends the stop signal, then SIGKILL after {@code timeoutSeconds} (null: the container's own, default 10). */
    void stop(String ref, Integer timeoutSeconds, String signal);

    void restart(String ref, Integer timeoutSeconds, String signal);

    /** {@code signal} as a name (KILL, SIGTERM) or number; null means SIGKILL. CONFLICT when not running. */
    void kill(String ref, String signal);

    void pause(String ref);

    void unpause(String ref);

    /** Blocks until the condition holds; {@link WaitResult#statusCode()} is the exit code. */
    WaitResult wait(String ref, WaitCondition condition);

    /** {@code force}: kill a running container first; {@code volumes}: remove its anonymous volumes. */
    void remove(String ref, boolean force, boolean volumes);

    void rename(String ref, String newName);

    ContainerDetails inspect(String ref);

    List<ContainerSummary> list(ContainerListOptions options);

    /** Log entries; with {@code follow} the stream ends when the container stops and its log is drained. */
    LogStream logs(String ref, LogOptions options);

    /** Connects to the container's stdio; for a created container, attach before start to see all output. */
    AttachSession attach(String ref, AttachOptions options);

    void resize(String ref, int height, int width);

    /** Creates an exec instance (not yet started); CONFLICT when the container is not running. */
    String execCreate(String ref, ExecSpec spec);

    /** Starts the exec; with {@code detach} the session has no streams and returns at once. */
    AttachSession execStart(String execId, boolean detach, boolean tty);

    void execResize(String execId, int height, int width);

    ExecDetails execInspect(String execId);

    // stats/top/update: resource samples, process list, live limit changes
    /** A sample; unless {@code oneShot}, two samples about a second apart so precpu is filled. CONFLICT when not running. */
    default ContainerStats stats(String ref, boolean oneShot) { throw io.berth.api.BerthException.unavailable("stats is not supported"); }

    /** The container's processes as {@code ps} shows them ({@code psArgs} null: "-ef"-like defaults). */
    default ProcessList top(String ref, String psArgs) { throw io.berth.api.BerthException.unavailable("top is not supported"); }

    /** Applies new limits live and stores them; returns warnings. */
    default List<String> update(String ref, ContainerUpdate update) { throw io.berth.api.BerthException.unavailable("update is not supported"); }

    // cp: the archive endpoints (HEAD/GET/PUT /containers/{id}/archive), running or stopped containers.
    /** Stat of {@code path} inside the container; NOT_FOUND "Could not find the file PATH in container REF". */
    default PathStat archiveStat(String ref, String path) { throw BerthException.unavailable("cp is not available"); }

    /** A tar of {@code path} (a directory recursively; a trailing "/." gives its content only). */
    default ArchiveRead archiveGet(String ref, String path) { throw BerthException.unavailable("cp is not available"); }

    /** Extracts {@code tar} into the existing directory {@code path} inside the container. */
    default void archivePut(String ref, String path, java.io.InputStream tar, boolean noOverwriteDirNonDir) {
        throw BerthException.unavailable("cp is not available");
    }

    // events: Docker's event stream (container and image events, filters, since/until)
    default EventStream events(EventOptions options) { throw io.berth.api.BerthException.unavailable("events are not supported"); }

    // container prune: removes stopped containers matching filters until and label (label!=)
    default PruneReport prune(java.util.Map<String, List<String>> filters) { throw io.berth.api.BerthException.unavailable("container prune is not supported"); }

    // system check: host preflight and orphan cleanup (runtime state, records, mounts, conmon processes)
    default SystemCheckReport systemCheck() { throw io.berth.api.BerthException.unavailable("system check is not supported"); }
}
