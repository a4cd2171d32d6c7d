package io.berth.engine.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.api.BerthException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link NetworkBackend} on netavark 1.4 (Debian's {@code netavark}), with aardvark-dns answering
 * names and aliases on each user-defined network's gateway. Netavark reads a JSON description of the
 * container's networks on stdin ({@code netavark --config DIR setup NETNS}) and prints what it made;
 * teardown takes the same JSON. DIR holds aardvark's per-network name files and its pid, so it is
 * the engine's own ({@code ROOT/netavark}).
 *
 * <p>Calls are serialised: netavark edits iptables chains shared by all of a host's networks and
 * aardvark's files shared by all containers of a network. Within a JVM by a lock; across processes
 * (two daemons, a daemon and a test's engine) by an flock on {@link #HOST_LOCK}: netavark 1.4 takes
 * no lock of its own, and two interleaved runs fail with "Chain already exists" or "No chain/target".
 */
public final class NetavarkBackend implements NetworkBackend {
    public static final Path NETAVARK = Path.of("/usr/lib/podman/netavark");
    public static final Path AARDVARK = Path.of("/usr/lib/podman/aardvark-dns");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ReentrantLock LOCK = new ReentrantLock(); // one per JVM: engines in tests share the host
    static final Path HOST_LOCK = Path.of("/run/lock/berth-netavark.lock");

    private final Path netavark, aardvark, configDir;

    public NetavarkBackend(Path netavark, Path aardvark, Path configDir) {
        this.netavark = netavark;
        this.aardvark = aardvark;
        this.configDir = configDir;
    }

    public static boolean available() { return Files.isExecutable(NETAVARK); }

    @Override
    public Attachment setup(Path netns, Request r) {
        byte[] in = request(r);
        LOCK.lock();
        try (HostLock ignored = HostLock.take()) {
            Files.createDirectories(configDir);
            Cmd.Result res = Cmd.run(argv("setup", netns), in);
            if (res.code() != 0) {
                // netavark leaves what it made before failing (seen: a bridge and veth after aardvark
                // could not start); the same request undoes it.
                Cmd.run(argv("teardown", netns), in);
                res.check("setting up network " + r.net().name() + " for container " + r.containerId() + " (netavark)");
            }
            return parse(r, res.out());
        } catch (IOException e) {
            throw BerthException.unavailable("setting up network %s for container %s: %s", r.net().name(), r.containerId(), e.getMessage());
        } finally {
            LOCK.unlock();
        }
    }

    @Override
    public void teardown(Path netns, Request r) {
        LOCK.lock();
        try (HostLock ignored = HostLock.take()) {
            Files.createDirectories(configDir);
            Cmd.Result res = Cmd.run(argv("teardown", netns), request(r));
            // A namespace already gone (crash recovery) still gets its host side removed by netavark; only
            // a failure that leaves host state behind is worth an error.
            if (res.code() != 0 && !res.err().contains("No such file") && !res.out().contains("No such file"))
                res.check("tearing down network " + r.net().name() + " of container " + r.containerId() + " (netavark)");
        } catch (IOException e) {
            throw BerthException.unavailable("tearing down network %s: %s", r.net().name(), e.getMessage());
        } finally {
            LOCK.unlock();
        }
    }

    private List<String> argv(String verb, Path netns) {
        return List.of(netavark.toString(), "--config", configDir.toString(), "-a", aardvark.toString(), verb, netns.toString());
    }

    /** The netavark 1.4 request (its {@code NetworkOptions}), a pure function for tests. */
    static byte[] request(Request r) {
        ObjectNode root = JSON.createObjectNode();
        root.put("container_id", r.containerId());
        root.put("container_name", r.containerName());
        ArrayNode ports = root.putArray("port_mappings");
        for (Port p : r.ports()) {
            ports.addObject().put("host_ip", p.hostIp() == null ? "" : p.hostIp()).put("container_port", p.containerPort())
                    .put("host_port", p.hostPort()).put("range", 1).put("protocol", p.protocol());
        }
        Net n = r.net();
        String key = NetavarkNames.of(n); // host-wide in netavark: see NetavarkNames
        ObjectNode per = root.putObject("networks").putObject(key);
        per.putArray("static_ips").add(r.ip());
        ArrayNode aliases = per.putArray("aliases");
        r.aliases().forEach(aliases::add);
        per.put("interface_name", r.ifname());
        if (r.mac() != null && !r.mac().isEmpty()) per.put("static_mac", r.mac());
        ObjectNode info = root.putObject("network_info").putObject(key);
        info.put("name", key).put("id", n.id()).put("driver", "bridge").put("network_interface", n.bridge());
        ObjectNode sub = info.putArray("subnets").addObject().put("subnet", n.subnet());
        if (n.gateway() != null) sub.put("gateway", n.gateway());
        info.put("ipv6_enabled", false).put("internal", n.internal()).put("dns_enabled", n.dns());
        info.putObject("ipam_options").put("driver", "host-local");
        ObjectNode opts = info.putObject("options");
        if (n.options().containsKey("mtu")) opts.put("mtu", n.options().get("mtu"));
        if (n.options().containsKey("com.docker.network.driver.mtu")) opts.put("mtu", n.options().get("com.docker.network.driver.mtu"));
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Attachment parse(Request r, String out) throws IOException {
        JsonNode st = JSON.readTree(out).path(NetavarkNames.of(r.net()));
        String mac = st.path("interfaces").path(r.ifname()).path("mac_address").asText("");
        List<String> dns = new ArrayList<>();
        st.path("dns_server_ips").forEach(d -> dns.add(d.asText()));
        return new Attachment(mac, dns);
    }

    /** The host-wide flock around one netavark call (released when the channel closes, also on a crash). */
    private record HostLock(java.nio.channels.FileChannel channel) implements AutoCloseable {
        static HostLock take() throws IOException {
            Files.createDirectories(HOST_LOCK.getParent());
            java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(HOST_LOCK,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
            try {
                ch.lock();
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
            return new HostLock(ch);
        }

        @Override public void close() throws IOException { channel.close(); }
    }
}
