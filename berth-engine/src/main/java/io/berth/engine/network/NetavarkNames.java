package io.berth.engine.network;

/**
 * The network name netavark is given, which is not the Docker name. netavark derives its iptables
 * chain names ({@code NETAVARK-<hash>}, {@code NETAVARK-DN-<hash>}) and aardvark's config file from
 * that name alone, and those are host-wide. Every Berth engine calls its default network "bridge", and
 * two engines may both have a user network "web": with the Docker name, one engine's last container
 * leaving its network deleted the chains another engine's containers were using (seen with two daemons
 * on one host: "iptables: No chain/target/match by that name" on setup and teardown, and leaked DNAT
 * rules). The network ID is unique, so the name carries part of it; the Docker name stays in front so
 * the host's rules and aardvark's files can still be read.
 */
final class NetavarkNames {
    private NetavarkNames() {}

    /** {@code NAME-<first 12 hex of the ID>}, e.g. {@code bridge-3f2a9c01d4e5}. */
    static String of(NetworkBackend.Net n) {
        String id = n.id();
        return n.name() + "-" + (id.length() > 12 ? id.substring(0, 12) : id);
    }
}
