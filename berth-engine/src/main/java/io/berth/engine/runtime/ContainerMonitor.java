package io.berth.engine.runtime;

import java.util.Map;
import java.util.OptionalInt;

/**
 * What the per-container monitor (conmon) knows: the recorded exit code, whether it still watches, and
 * the files it leaves behind.
 */
public interface ContainerMonitor {
    /** The exit code conmon recorded, empty while the process runs or when nothing was recorded. */
    OptionalInt exitCode(String id);

    /** Whether the container is watched, exited (with code) or lost its monitor. */
    Liveness check(String id);

    /** Live monitors of Berth's containers, by container id, found through their pid files. */
    Map<String, Integer> monitors();

    /**
     * Removes the monitor's files for a container that is deleted: the exit file, pid files, exec
     * directories, the attach-socket link. Call after {@link OciRuntime#delete}.
     */
    void forget(String id);
}
