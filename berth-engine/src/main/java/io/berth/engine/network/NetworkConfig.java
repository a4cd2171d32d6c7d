package io.berth.engine.network;

/**
 * The daemon's networking settings (daemon.json keys in brackets).
 *
 * @param bridgeName          the default network's Linux bridge ("bridge" in daemon.json; default "berth0")
 * @param bip                 the default network's gateway address and prefix ("bip", e.g. "172.30.0.1/16")
 * @param pool                where user-defined networks get subnets ("default-address-pools" base; "172.31.0.0/16")
 * @param poolSize            the prefix length of each such subnet ("default-address-pools" size; 24)
 * @param allowMetadataAccess containers may reach 169.254.169.254 / fd00:ec2::254 ("allow-metadata-access")
 * @param warmNamespaces      namespaces kept set up on the default network ahead of demand, so a container
 *                            there starts without waiting for netavark ("warm-netns"; 0 turns it off)
 */
public record NetworkConfig(String bridgeName, String bip, String pool, int poolSize, boolean allowMetadataAccess, int warmNamespaces) {
    public static final int DEFAULT_WARM = 4;
    public static final NetworkConfig DEFAULT = new NetworkConfig("berth0", "172.30.0.1/16", "172.31.0.0/16", 24, false, DEFAULT_WARM);

    public NetworkConfig {
        if (warmNamespaces < 0 || warmNamespaces > 64) throw new IllegalArgumentException("warm-netns must be 0..64, got " + warmNamespaces);
    }

    /** The same settings without ahead-of-time namespaces. */
    public NetworkConfig withWarmNamespaces(int n) { return new NetworkConfig(bridgeName, bip, pool, poolSize, allowMetadataAccess, n); }

    /** A network option that lifts the metadata block for one network. */
    public static final String ALLOW_METADATA_OPTION = "io.berth.network.allow-metadata";
}
