package io.berth.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

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
 */
public record DaemonConfig(List<String> insecureRegistries, int maxConcurrentDownloads, List<String> unknownKeys,
                           io.berth.spec.runtime.Hooks hooks, Path hooksDir) {
    public static final int DEFAULT_MAX_CONCURRENT_DOWNLOADS = 4;
    private static final Set<String> KNOWN = Set.of("insecure-registries", "max-concurrent-downloads", "hooks", "hooks-dir");

    public static final DaemonConfig DEFAULTS = new DaemonConfig(List.of(), DEFAULT_MAX_CONCURRENT_DOWNLOADS, List.of());

    public DaemonConfig {
        if (hooks == null) hooks = io.berth.spec.runtime.Hooks.NONE;
    }

    public DaemonConfig(List<String> insecureRegistries, int maxConcurrentDownloads, List<String> unknownKeys) {
        this(insecureRegistries, maxConcurrentDownloads, unknownKeys, null, null);
    }

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
                HookConfig.hooks(name, root.get("hooks")), HookConfig.hooksDir(name, root.get("hooks-dir")));
    }
}
