package io.berth.api.container;

/**
 * {@code docker update}: new limits (null fields keep the current value) and optionally a new
 * restart policy (null keeps it).
 */
public record ContainerUpdate(HostSpec.Resources resources, String restartPolicy, Integer restartMaxRetries) {
}
