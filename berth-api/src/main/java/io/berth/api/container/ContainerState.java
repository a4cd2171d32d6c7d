package io.berth.api.container;

import java.time.Instant;

/**
 * A container's state as {@code docker inspect} shows it (State.*). Times are null for "never"
 * (the server renders them as 0001-01-01T00:00:00Z).
 */
public record ContainerState(Status status, int pid, int exitCode, String error, boolean oomKilled,
                             Instant startedAt, Instant finishedAt, int restartCount) {
    /** Docker's status words. */
    public enum Status {
        CREATED("created"), RUNNING("running"), PAUSED("paused"), RESTARTING("restarting"),
        REMOVING("removing"), EXITED("exited"), DEAD("dead");

        private final String word;

        Status(String word) { this.word = word; }

        public String word() { return word; }
    }

    public boolean running() { return status == Status.RUNNING || status == Status.PAUSED; }
}
