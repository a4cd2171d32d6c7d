package io.berth.engine.container;

import io.berth.api.BerthException;
import io.berth.api.container.ContainerState.Status;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The container state machine as a table: which status may follow which. Every status change in
 * {@link ContainerService} goes through {@link #check}, so an impossible request (pause a created
 * container, start a removing one) fails with CONFLICT naming both states instead of confusing the
 * runtime.
 */
final class Transitions {
    private static final Map<Status, Set<Status>> ALLOWED = Map.of(
            Status.CREATED, EnumSet.of(Status.RUNNING, Status.EXITED, Status.REMOVING),
            Status.RUNNING, EnumSet.of(Status.PAUSED, Status.EXITED, Status.REMOVING),
            Status.PAUSED, EnumSet.of(Status.RUNNING, Status.EXITED, Status.REMOVING),
            // restarting: waiting out the restart policy's backoff after an exit
            Status.RESTARTING, EnumSet.of(Status.RUNNING, Status.EXITED, Status.REMOVING),
            Status.EXITED, EnumSet.of(Status.RUNNING, Status.RESTARTING, Status.REMOVING),
            Status.REMOVING, EnumSet.of(Status.DEAD),
            Status.DEAD, EnumSet.of(Status.REMOVING));

    private Transitions() {}

    static boolean allowed(Status from, Status to) { return ALLOWED.get(from).contains(to); }

    /** Throws CONFLICT "Container ID is paused: cannot become created" when {@code from → to} is not an edge. */
    static void check(String id, Status from, Status to) {
        if (!allowed(from, to)) {
            throw BerthException.conflict("Container %s is %s: cannot become %s", id, from.word(), to.word());
        }
    }
}
