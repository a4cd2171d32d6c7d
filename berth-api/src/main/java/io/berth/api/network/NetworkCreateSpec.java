package io.berth.api.network;

import java.util.List;
import java.util.Map;

/**
 * {@code docker network create}. Null/empty means the default: driver "bridge", a free /16 (or /24)
 * subnet picked from the daemon's pool, the subnet's first address as gateway.
 *
 * @param internal no outbound route and no NAT: members reach only each other
 * @param options  driver options, e.g. "com.docker.network.bridge.name", "mtu"
 */
public record NetworkCreateSpec(String name, String driver, boolean internal, boolean attachable, boolean enableIPv6,
                                List<IpamConfig> ipam, Map<String, String> options, Map<String, String> labels,
                                boolean checkDuplicate) {
    public static NetworkCreateSpec named(String name) {
        return new NetworkCreateSpec(name, "bridge", false, false, false, List.of(), Map.of(), Map.of(), true);
    }
}
