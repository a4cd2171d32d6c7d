package io.berth.api.container;

import java.util.List;
import java.util.Map;

/**
 * {@code NetworkSettings} of inspect and ps.
 *
 * @param sandboxKey the network namespace path ("" when none)
 * @param ports      "80/tcp" → the bindings actually made (host ports resolved); an exposed port
 *                   without bindings maps to an empty list (Docker shows null)
 * @param networks   network name → endpoint
 */
public record NetworkSettings(String sandboxKey, Map<String, List<PortBinding>> ports, Map<String, EndpointState> networks) {
    public static final NetworkSettings EMPTY = new NetworkSettings("", Map.of(), Map.of());
}
