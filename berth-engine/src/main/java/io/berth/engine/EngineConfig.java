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
 * @param hooks                   OCI hooks every container gets (daemon.json "hooks"); checked by the daemon
 * @param hooksDir                podman-style hooks.d directory of per-container hook rules; null = none
 * @param network                 default bridge, address pool, metadata access ({@link NetworkConfig#DEFAULT})
 */
public record EngineConfig(Path root, List<String> insecureRegistries, int maxConcurrentDownloads, Path dockerConfig,
                           io.berth.spec.runtime.Hooks hooks, Path hooksDir, NetworkConfig network) {
    public EngineConfig {
        if (hooks == null) hooks = io.berth.spec.runtime.Hooks.NONE;
        if (network == null) network = NetworkConfig.DEFAULT;
    }

    public EngineConfig(Path root, List<String> insecureRegistries, int maxConcurrentDownloads, Path dockerConfig) {
        this(root, insecureRegistries, maxConcurrentDownloads, dockerConfig, null, null, null);
    }

    /** This configuration with the daemon's hooks (OCI hooks, hooks.d directory). */
    public EngineConfig withHooks(io.berth.spec.runtime.Hooks h, Path dir) {
        return new EngineConfig(root, insecureRegistries, maxConcurrentDownloads, dockerConfig, h, dir, network);
    }

    /** This configuration with the daemon's networking settings. */
    public EngineConfig withNetwork(NetworkConfig n) {
        return new EngineConfig(root, insecureRegistries, maxConcurrentDownloads, dockerConfig, hooks, hooksDir, n);
    }

    public static EngineConfig defaults(Path root) {
        return new EngineConfig(root, List.of(), 4,
                Path.of(System.getProperty("user.home"), ".docker", "config.json"));
    }
}
