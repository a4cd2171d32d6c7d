package io.berth.engine.container;

import io.berth.api.container.ContainerSpec;
import io.berth.api.container.ContainerState.Status;
import io.berth.spec.image.ImageConfig;

import java.time.Instant;

/**
 * One container as stored: the create request, the image it came from (with its config, so the
 * container keeps working the way it was created even if the image's tag moves) and its state.
 *
 * @param manuallyStopped stopped or killed by a user: unless-stopped does not restart it
 * @param snapshotKey     the ACTIVE snapshot holding its root filesystem
 */
record ContainerRecord(String id, String name, ContainerSpec spec, String imageId, ImageConfig imageConfig, Instant created,
                       Status status, int pid, int exitCode, String error, Instant startedAt, Instant finishedAt,
                       int restartCount, boolean manuallyStopped, String snapshotKey) {

    ContainerRecord withStatus(Status s) {
        return new ContainerRecord(id, name, spec, imageId, imageConfig, created, s, pid, exitCode, error, startedAt, finishedAt,
                restartCount, manuallyStopped, snapshotKey);
    }

    ContainerRecord withName(String n) {
        return new ContainerRecord(id, n, spec, imageId, imageConfig, created, status, pid, exitCode, error, startedAt, finishedAt,
                restartCount, manuallyStopped, snapshotKey);
    }

    /** A start by the restart policy counts; any other start (start, restart, daemon start) resets the count, as Docker's. */
    ContainerRecord started(int newPid, Instant at, boolean policyRestart) {
        return new ContainerRecord(id, name, spec, imageId, imageConfig, created, Status.RUNNING, newPid, 0, null, at, null,
                policyRestart ? restartCount + 1 : 0, false, snapshotKey);
    }

    ContainerRecord exited(int code, Instant at, String why) {
        return new ContainerRecord(id, name, spec, imageId, imageConfig, created, Status.EXITED, 0, code, why, startedAt, at,
                restartCount, manuallyStopped, snapshotKey);
    }

    /** A start that failed: the status stays, the error and Docker's exit code for it are recorded. */
    ContainerRecord failed(int code, String why) {
        return new ContainerRecord(id, name, spec, imageId, imageConfig, created, status, 0, code, why, startedAt, finishedAt,
                restartCount, manuallyStopped, snapshotKey);
    }

    ContainerRecord withManuallyStopped(boolean m) {
        return new ContainerRecord(id, name, spec, imageId, imageConfig, created, status, pid, exitCode, error, startedAt, finishedAt,
                restartCount, m, snapshotKey);
    }

    ContainerRecord withSpec(ContainerSpec s) {
        return new ContainerRecord(id, name, s, imageId, imageConfig, created, status, pid, exitCode, error, startedAt, finishedAt,
                restartCount, manuallyStopped, snapshotKey);
    }

    boolean running() { return status == Status.RUNNING || status == Status.PAUSED; }
}
