package io.berth.api.container;

/** {@code GET /exec/{id}/json}: exitCode is null until the process has ended. */
public record ExecDetails(String id, String containerId, boolean running, Integer exitCode, int pid, ExecSpec spec,
                          boolean openStdin) {
}
