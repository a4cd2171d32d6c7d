package io.berth.api.container;

import java.util.List;
import java.util.Map;

/**
 * {@code docker ps} options. Filters (OR within a key, AND across keys): id, name, label
 * ({@code key} or {@code key=value}), status (created, running, paused, exited, …), ancestor
 * (image reference or ID), exited (exit code).
 */
public record ContainerListOptions(boolean all, int limit, Map<String, List<String>> filters) {
    public static final ContainerListOptions RUNNING = new ContainerListOptions(false, -1, Map.of());
    public static final ContainerListOptions ALL = new ContainerListOptions(true, -1, Map.of());
}
