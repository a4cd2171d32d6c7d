package io.berth.engine.runtime;

import java.time.Instant;

/**
 * What became of a container's process, from conmon's point of view; what a restarted daemon asks for
 * each container it re-adopts.
 */
public sealed interface Liveness {
    /** conmon is alive and watching; the process may be created, running or paused. */
    record Monitored(int conmonPid) implements Liveness {}

    /**
     * conmon recorded the exit. {@code code} is the process's exit status, or 128+N when signal N killed
     * it (conmon's own rule: SIGKILL gives 137, SIGTERM 143, the same numbers Docker reports).
     */
    record Exited(int code, Instant at) implements Liveness {}

    /**
     * conmon is gone without recording an exit (killed, or the host rebooted). {@code stillRunning}
     * says whether the runtime still sees the process running, unmonitored: the caller should kill it.
     */
    record Lost(boolean stillRunning) implements Liveness {}

    /** Neither conmon nor the runtime knows this id. */
    record Unknown() implements Liveness {}
}
