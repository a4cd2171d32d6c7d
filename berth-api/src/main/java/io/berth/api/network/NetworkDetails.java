package io.berth.api.network;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What {@code docker network inspect} shows.
 *
 * @param scope      "local"
 * @param containers container ID → its endpoint on this network
 */
public record NetworkDetails(String id, String name, Instant created, String scope, String driver, boolean enableIPv6,
                             List<IpamConfig> ipam, boolean internal, boolean attachable,
                             Map<String, NetworkEndpoint> containers, Map<String, String> options,
                             Map<String, String> labels) {
}
