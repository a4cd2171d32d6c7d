package io.berth.engine.network;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The kernel plumbing of one container on one network: bridge, veth pair, addresses, routes, NAT,
 * port forwarding and the network's name server. Berth owns everything else (IPAM, records, files,
 * egress rules), so a backend only applies and undoes what it is told. {@link NetavarkBackend} is the
 * implementation; a CNI one (bridge + portmap + firewall) could replace it behind this seam.
 *
 * <p>Contract: {@link #setup} either configures the namespace completely or fails with BerthException
 * (UNAVAILABLE) after undoing what it did; {@link #teardown} with the same request undoes a setup and
 * is idempotent (a second call, or a call after a crash half-way through setup, does not fail for
 * things already gone). The last container leaving a network takes its bridge and rules with it.
 *
 * <pre>{@code
 * Attachment r = backend.setup(Path.of("/var/lib/berth/netns/ID"), new Request("ID", "web",
 *         new Net(netId, "front", "br-0123456789ab", "172.31.0.0/24", "172.31.0.1", false, true, Map.of()),
 *         "172.31.0.2", List.of("web", "api"), "eth0", null, List.of(new Port("", 8080, 80, "tcp"))));
 * }</pre>
 */
public interface NetworkBackend {
    /** A network as the backend needs it. {@code dns}: run the network's name server on the gateway. */
    record Net(String id, String name, String bridge, String subnet, String gateway, boolean internal, boolean dns,
               Map<String, String> options) {
    }

    /** One published port; hostIp "" for all the host's addresses. */
    record Port(String hostIp, int hostPort, int containerPort, String protocol) {
    }

    /** What to set up: one container joining one network with a fixed address (Berth allocates it). */
    record Request(String containerId, String containerName, Net net, String ip, List<String> aliases, String ifname,
                   String mac, List<Port> ports) {
    }

    /** What the setup made: the interface's MAC address and the name servers the network offers. */
    record Attachment(String mac, List<String> dnsServers) {
    }

    Attachment setup(Path netns, Request request);

    void teardown(Path netns, Request request);
}
