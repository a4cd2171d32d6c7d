package io.berth.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.network.NetworkConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * daemon.json, with Docker's key spelling so an operator's habits carry over:
 * {@code {"insecure-registries": ["myreg:5000", "10.0.0.0/8"], "max-concurrent-downloads": 4}}.
 * Keys Berth does not know are reported (not fatal: a daemon.json copied from Docker has many).
 * {@code "hooks"} (OCI hooks for every container, the runtime spec's shape) and {@code "hooks-dir"}
 * (podman's hooks.d rules) are read by {@link HookConfig}; see docs/hooks.md.
 * Networking keys: {@code "bip": "172.30.0.1/16"} (the default network's gateway/prefix), {@code "bridge":
 * "berth0"} (its Linux bridge), {@code "default-address-pools": [{"base": "172.31.0.0/16", "size": 24}]}
 * (subnets of new networks; the first pool is used), {@code "allow-metadata-access": false}, {@code "warm-netns": 4}
 * (Berth's own: namespaces set up ahead of time on the default network; 0 turns it off).
 */
public record DaemonConfig(List<String> insecureRegistries, int maxConcurrentDownloads, List<String> unknownKeys,
                           io.berth.spec.runtime.Hooks hooks, Path hooksDir, NetworkConfig network) {
    public static final int DEFAULT_MAX_CONCURRENT_DOWNLOADS = 4;
    private static final Set<String> KNOWN = Set.of("insecure-registries", "max-concurrent-downloads", "hooks", "hooks-dir",
            "bip", "bridge", "default-address-pools", "allow-metadata-access", "warm-netns");

    public DaemonConfig {
        if (hooks == null) hooks = io.berth.spec.runtime.Hooks.NONE;
        if (network == null) network = NetworkConfig.DEFAULT;
    }

    public DaemonConfig(List<String> insecureRegistries, int maxConcurrentDownloads, List<String> unknownKeys) {
        this(insecureRegistries, maxConcurrentDownloads, unknownKeys, null, null, NetworkConfig.DEFAULT);
    }

    public static final DaemonConfig DEFAULTS = new DaemonConfig(List.of(), DEFAULT_MAX_CONCURRENT_DOWNLOADS, List.of());

    /** Reads {@code file}; when it does not exist, defaults unless {@code required}. */
    public static DaemonConfig load(Path file, boolean required) throws DaemonException {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            if (required) throw new DaemonException("reading config " + file + ": no such file");
            return DEFAULTS;
        } catch (IOException e) {
            throw new DaemonException("reading config " + file + ": " + e.getMessage(), e);
        }
        return parse(file.toString(), data);
    }

    static DaemonConfig parse(String name, byte[] data) throws DaemonException {
        JsonNode root;
        try { root = new ObjectMapper().readTree(data); }
        catch (IOException e) { throw new DaemonException("reading config " + name + ": invalid JSON: " + e.getMessage(), e); }
        if (root == null || root.isMissingNode()) return DEFAULTS;
        if (!root.isObject()) throw new DaemonException("reading config " + name + ": want a JSON object");
        List<String> insecure = new ArrayList<>();
        JsonNode ir = root.get("insecure-registries");
        if (ir != null && !ir.isNull()) {
            if (!ir.isArray()) throw new DaemonException("reading config " + name + ": insecure-registries must be a list of strings");
            for (JsonNode n : ir) {
                if (!n.isTextual() || n.asText().isBlank())
                    throw new DaemonException("reading config " + name + ": insecure-registries must be a list of strings, got " + n);
                insecure.add(n.asText().trim());
            }
        }
        int downloads = DEFAULT_MAX_CONCURRENT_DOWNLOADS;
        JsonNode mcd = root.get("max-concurrent-downloads");
        if (mcd != null && !mcd.isNull()) {
            if (!mcd.canConvertToInt() || !mcd.isIntegralNumber() || mcd.asInt() < 1)
                throw new DaemonException("reading config " + name + ": max-concurrent-downloads must be a positive integer, got " + mcd);
            downloads = mcd.asInt();
        }
        List<String> unknown = new ArrayList<>();
        root.fieldNames().forEachRemaining(k -> { if (!KNOWN.contains(k)) unknown.add(k); });
        return new DaemonConfig(List.copyOf(insecure), downloads, List.copyOf(unknown),
                HookConfig.hooks(name, root.get("hooks")), HookConfig.hooksDir(name, root.get("hooks-dir")), network(name, root));
    }

    private static NetworkConfig network(String name, JsonNode root) throws DaemonException {
        NetworkConfig d = NetworkConfig.DEFAULT;
        String bip = text(name, root, "bip", d.bip()), bridge = text(name, root, "bridge", d.bridgeName());
        if (!bip.matches("\\d+\\.\\d+\\.\\d+\\.\\d+/\\d+")) throw new DaemonException("reading config " + name + ": bip must be ADDRESS/BITS, got " + bip);
        if (bridge.isEmpty() || bridge.length() > 15) throw new DaemonException("reading config " + name + ": bridge must be 1..15 characters, got " + bridge);
        String pool = d.pool();
        int size = d.poolSize();
        JsonNode pools = root.get("default-address-pools");
        if (pools != null && !pools.isNull()) {
            if (!pools.isArray() || pools.isEmpty() || !pools.get(0).path("base").isTextual())
                throw new DaemonException("reading config " + name + ": default-address-pools must be a list of {\"base\": CIDR, \"size\": N}");
            pool = pools.get(0).get("base").asText();
            size = pools.get(0).path("size").asInt(d.poolSize());
        }
        JsonNode meta = root.get("allow-metadata-access");
        if (meta != null && !meta.isNull() && !meta.isBoolean())
            throw new DaemonException("reading config " + name + ": allow-metadata-access must be true or false, got " + meta);
        JsonNode warm = root.get("warm-netns");
        if (warm != null && !warm.isNull() && !(warm.isInt() && warm.asInt() >= 0 && warm.asInt() <= 64))
            throw new DaemonException("reading config " + name + ": warm-netns must be a number from 0 to 64, got " + warm);
        return new NetworkConfig(bridge, bip, pool, size, meta != null && meta.asBoolean(),
                warm == null || warm.isNull() ? d.warmNamespaces() : warm.asInt());
    }

    private static String text(String name, JsonNode root, String key, String dflt) throws DaemonException {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) return dflt;
        if (!n.isTextual()) throw new DaemonException("reading config " + name + ": " + key + " must be a string, got " + n);
        return n.asText().trim();
    }
}
