package io.berth.api.network;

import java.util.List;

/**
 * How a container joins one network (NetworkingConfig.EndpointsConfig, {@code network connect}).
 * Null/empty: no aliases, an address allocated from the network's pool.
 *
 * @param ipv4Address a static address inside the network's subnet ({@code --ip})
 */
public record EndpointSpec(List<String> aliases, String ipv4Address, String ipv6Address, String macAddress) {
    public static final EndpointSpec DEFAULT = new EndpointSpec(List.of(), null, null, null);
}
