package io.berth.engine.runtime;

import java.nio.file.Path;
import java.time.Instant;

/**
 * What the OCI runtime reports about a container ({@code runc state} / {@code runc list}).
 *
 * @param pid the init process as seen from the host, 0 when stopped
 */
public record RuntimeState(String id, Status status, int pid, Path bundle, Instant created, String runtime) {
    /** The runtime-spec statuses; runc also reports paused. */
    public enum Status {
        CREATING, CREATED, RUNNING, PAUSED, STOPPED;

        static Status parse(String s) {
            return switch (s) {
                case "creating" -> CREATING;
                case "created" -> CREATED;
                case "running" -> RUNNING;
                case "paused" -> PAUSED;
                default -> STOPPED;
            };
        }
    }
}
