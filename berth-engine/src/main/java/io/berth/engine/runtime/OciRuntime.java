package io.berth.engine.runtime;

import java.nio.file.Path;
import java.util.List;

/**
 * The lifecycle of OCI containers, as the runtime-spec defines it: create, start, kill, delete, plus
 * runc's pause, resume and update.
 *
 * <p>Contract: {@code create} returns when the init process exists and waits ("created"); {@code start}
 * lets it run. Every method throws {@link io.berth.api.BerthException}: NOT_FOUND when the runtime does
 * not know the id, CONFLICT when the container is in the wrong state ("container not running"),
 * INVALID_ARGUMENT when the process cannot be executed (message with "executable file not found" or
 * "no such file or directory", which Docker clients report as exit 127), UNAVAILABLE when a binary is
 * missing or a command timed out, INTERNAL otherwise. Messages carry the runtime's own words:
 * "runc create failed: unable to start container process: exec: \"nope\": ...".
 *
 * <pre>{@code
 * CreatedContainer c = runtime.create(id, bundle, CreateOptions.defaults(cfg, id));
 * runtime.start(id);
 * runtime.kill(id, 15, false);
 * // ... Liveness.Exited from ContainerMonitor.check(id)
 * runtime.delete(id, false);
 * }</pre>
 */
public interface OciRuntime {
    /** Creates the container from the bundle (config.json + rootfs), its init held by a monitor. */
    CreatedContainer create(String id, Path bundle, CreateOptions options);

    void start(String id);

    RuntimeState state(String id);

    /** Sends a signal to the init process, or with {@code all} to every process of the container. */
    void kill(String id, int signal, boolean all);

    void pause(String id);

    void resume(String id);

    /** Removes the runtime's state; {@code force} kills a running container first. */
    void delete(String id, boolean force);

    /** Applies new limits: {@code resourcesJson} is a runtime-spec LinuxResources object. */
    void update(String id, String resourcesJson);

    /** Every container the configured runtimes know (under Berth's roots), for re-adoption after a restart. */
    List<RuntimeState> list();
}
