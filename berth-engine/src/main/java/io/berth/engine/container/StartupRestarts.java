package io.berth.engine.container;

import io.berth.api.container.ContainerState.Status;
import io.berth.api.container.HostSpec;

/**
 * Which stopped containers a starting daemon starts again, Docker's documented rule: {@code always}
 * even after a manual stop ("restarted only when the daemon restarts or the container is manually
 * restarted"), {@code unless-stopped} unless a user stopped it, {@code on-failure} after a non-zero
 * exit that a user did not cause, while retries are left. Exits seen while the daemon was down are
 * not decided here: they go through the ordinary exit path first.
 */
final class StartupRestarts {
    private StartupRestarts() {}

    /** An exited {@code --rm} container: the daemon died after recording its exit and before removing it. */
    static boolean removeInstead(ContainerRecord r) {
        return r.status() == Status.EXITED && r.spec().host() != null && r.spec().host().autoRemove();
    }

    static boolean wanted(ContainerRecord r) {
        if (r.status() != Status.EXITED) return false;
        HostSpec h = r.spec().host() == null ? HostSpec.DEFAULT : r.spec().host();
        if (h.autoRemove()) return false;
        String policy = h.restartPolicy() == null ? "no" : h.restartPolicy();
        return switch (policy) {
            case "always" -> true;
            case "unless-stopped" -> !r.manuallyStopped();
            case "on-failure" -> r.exitCode() != 0 && !r.manuallyStopped()
                    && (h.restartMaxRetries() <= 0 || r.restartCount() < h.restartMaxRetries());
            default -> false;
        };
    }
}
