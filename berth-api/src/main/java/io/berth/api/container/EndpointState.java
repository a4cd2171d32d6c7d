package io.berth.api.container;

import java.util.List;

/** A container's endpoint on one network, as {@code NetworkSettings.Networks[name]} shows it. */
public record EndpointState(String networkId, String endpointId, String gateway, String ipAddress, int ipPrefixLen,
                            String macAddress, List<String> aliases, String ipv6Gateway, String globalIPv6Address,
                            int globalIPv6PrefixLen) {
}
