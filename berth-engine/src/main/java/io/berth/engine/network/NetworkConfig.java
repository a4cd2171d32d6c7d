package io.berth.engine.network;

/**
 * The daemon's networking settings (daemon.json keys in brackets).
 *
 * @param bridgeName          the default network's Linux bridge ("bridge" in daemon.json; default "berth0")
 * @param bip                 the default network's gateway address and prefix ("bip", e.g. "172.30.0.1/16")
 * @param pool                where user-defined networks get subnets ("default-address-pools" base; "172.31.0.0/16")
 * @param poolSize            the prefix length of each such subnet ("default-address-pools" size; 24)
 * @param allowMetadataAccess containers may reach 169.254.169.254 / fd00:ec2::254 ("allow-metadata-access")
 */
public record NetworkConfig(String bridgeName, String bip, String pool, int poolSize, boolean allowMetadataAccess) {
    public static final NetworkConfig DEFAULT = new NetworkConfig("berth0", "172.30.0.1/16", "172.31.0.0/16", 24, false);

    /** A network option that lifts the metadata block for one network. */
    public static final String ALLOW_METADATA_OPTION = "io.berth.network.allow-metadata";
}
