package io.berth.engine;

import io.berth.engine.network.NetworkConfig;

import java.nio.file.Path;
import java.util.List;

/**
 * How the native engine is set up. Built by the daemon from flags and its config file.
 *
 * @param root                    state directory (content, snapshots, metadata DB); one owner at a time
 * @param insecureRegistries      hosts (host[:port]) or CIDRs reached over plain HTTP; 127.0.0.0/8 and
 *                                localhost are always insecure, as Docker has it
 * @param maxConcurrentDownloads  parallel layer downloads per pull (Docker's default is 3; ours 4)
 * @param dockerConfig            path of config.json holding registry credentials (~/.docker/config.json)
 * @param network                 default bridge, address pool, metadata access ({@link NetworkConfig#DEFAULT})
 */
public record EngineConfig(Path root, List<String> insecureRegistries, int maxConcurrentDownloads, Path dockerConfig,
                           NetworkConfig network) {
    public EngineConfig {
        if (network == null) network = NetworkConfig.DEFAULT;
    }

    public EngineConfig(Path root, List<String> insecureRegistries, int maxConcurrentDownloads, Path dockerConfig) {
        this(root, insecureRegistries, maxConcurrentDownloads, dockerConfig, NetworkConfig.DEFAULT);
    }

    public static EngineConfig defaults(Path root) {
        return new EngineConfig(root, List.of(), 4,
                Path.of(System.getProperty("user.home"), ".docker", "config.json"));
    }

    public EngineConfig withNetwork(NetworkConfig n) {
        return new EngineConfig(root, insecureRegistries, maxConcurrentDownloads, dockerConfig, n);
    }
}
