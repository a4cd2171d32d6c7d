package io.berth.engine.runtime;

/**
 * How conmon should run an exec process.
 *
 * @param terminal allocate a pty for the process
 * @param stdin    give the process a stdin pipe fed by the attach socket; the process sees EOF when the
 *                 attach client half-closes (conmon runs execs without {@code --leave-stdin-open})
 */
public record ExecOptions(boolean terminal, boolean stdin) {
    public static final ExecOptions PLAIN = new ExecOptions(false, false);
}
