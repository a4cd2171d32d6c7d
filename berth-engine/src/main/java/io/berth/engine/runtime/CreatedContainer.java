package io.berth.engine.runtime;

/**
 * A container whose init process exists and waits for {@code start}.
 *
 * @param pid       the init pid on the host
 * @param conmonPid the monitor that is the init's parent and outlives the daemon
 */
public record CreatedContainer(String id, int pid, int conmonPid) {}
