package io.berth.api.container;

import io.berth.api.network.EndpointSpec;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A container's networking as created: Docker spreads it over Config (ExposedPorts, Hostname is
 * elsewhere), HostConfig (PortBindings, PublishAllPorts, Dns*, ExtraHosts) and NetworkingConfig
 * (EndpointsConfig); Berth keeps it in one record. Which network(s) to join comes from
 * {@link HostSpec#networkMode()} (the primary) plus {@code endpoints} (keyed by network name).
 *
 * @param exposedPorts "80/tcp", "53/udp"
 * @param portBindings "80/tcp" → host bindings
 * @param extraHosts   "name:ip" (also "name=ip"), {@code --add-host}
 */
public record NetworkSpec(Set<String> exposedPorts, Map<String, List<PortBinding>> portBindings, boolean publishAllPorts,
                          List<String> dns, List<String> dnsSearch, List<String> dnsOptions, List<String> extraHosts,
                          Map<String, EndpointSpec> endpoints, String macAddress) {
    public static final NetworkSpec NONE = new NetworkSpec(Set.of(), Map.of(), false, List.of(), List.of(), List.of(),
            List.of(), Map.of(), null);
}
