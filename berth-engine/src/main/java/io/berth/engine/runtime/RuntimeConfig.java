package io.berth.engine.runtime;

import io.berth.api.BerthException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where the runtime binaries are and where conmon and the OCI runtime keep their state.
 *
 * <p>{@code runtimes} maps a runtime name ({@code runc}, {@code crun}, {@code runsc}) to its binary; a
 * container picks one by name, {@code defaultRuntime} otherwise. Each runtime gets its own state root
 * ({@code --root stateRoot/NAME}) so that two runtimes never see each other's containers and Berth never
 * sees containers of another engine that uses the same binary.
 *
 * <p>{@code socketDir} holds conmon's per-container symlinks to the attach sockets; it must be short:
 * {@code socketDir/UUID/attach} has to fit in sun_path (107 bytes) for conmon's own bind, so with
 * 64-hex ids it must stay under about 35 characters ({@code /run/berth/s} in the daemon).
 *
 * @param runtimes       runtime name to binary
 * @param defaultRuntime the key of {@code runtimes} used when a request names none
 * @param conmon         the conmon binary (2.1 with API version 1)
 * @param stateRoot      parent of the runtimes' {@code --root} directories
 * @param containerDir   parent of the per-container (and per-exec) directories with pid files
 * @param exitDir        where conmon writes each container's exit code as {@code exitDir/ID}
 * @param socketDir      conmon's {@code --socket-dir-path}
 * @param logDir         default parent of the k8s-file container logs
 * @param timeout        how long a runtime command (create, start, kill, ...) may take
 */
public record RuntimeConfig(Map<String, Path> runtimes, String defaultRuntime, Path conmon,
                            Path stateRoot, Path containerDir, Path exitDir, Path socketDir, Path logDir,
                            Duration timeout) {
    public RuntimeConfig {
        runtimes = Map.copyOf(runtimes);
        Objects.requireNonNull(defaultRuntime, "defaultRuntime");
        if (!runtimes.containsKey(defaultRuntime))
            throw BerthException.invalid("configuring runtimes: default runtime %s is not among %s", defaultRuntime, runtimes.keySet());
        Objects.requireNonNull(conmon, "conmon");
        Objects.requireNonNull(timeout, "timeout");
    }

    /**
     * The usual layout under one directory, with the binaries found on this host: runc from
     * /usr/sbin or /usr/bin, conmon from /usr/bin or /usr/libexec/podman, crun and runsc if present.
     */
    public static RuntimeConfig under(Path root) {
        Map<String, Path> rts = new LinkedHashMap<>();
        find("runc").ifPresent(p -> rts.put("runc", p));
        find("crun").ifPresent(p -> rts.put("crun", p));
        find("runsc").ifPresent(p -> rts.put("runsc", p));
        if (rts.isEmpty()) rts.put("runc", Path.of("/usr/sbin/runc"));
        Path conmon = find("conmon").orElse(Path.of("/usr/bin/conmon"));
        return new RuntimeConfig(rts, rts.containsKey("runc") ? "runc" : rts.keySet().iterator().next(), conmon,
                root.resolve("runtime"), root.resolve("containers"), root.resolve("exits"),
                root.resolve("s"), root.resolve("logs"), Duration.ofSeconds(30));
    }

    private static java.util.Optional<Path> find(String name) {
        for (String dir : new String[]{"/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "/usr/libexec/podman"}) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) return java.util.Optional.of(p);
        }
        return java.util.Optional.empty();
    }

    /** The binary of the named runtime, or of the default one for null. */
    public Path runtimePath(String name) {
        Path p = runtimes.get(name == null ? defaultRuntime : name);
        if (p == null) throw BerthException.invalid("selecting runtime %s: unknown runtime (configured: %s)", name, runtimes.keySet());
        return p;
    }

    /** The {@code --root} of the named runtime. */
    public Path runtimeRoot(String name) { return stateRoot.resolve(name == null ? defaultRuntime : name); }

    public String runtimeName(String name) { return name == null ? defaultRuntime : name; }

    public RuntimeConfig withRuntime(String name, Path binary) {
        Map<String, Path> m = new LinkedHashMap<>(runtimes);
        m.put(name, binary);
        return new RuntimeConfig(m, defaultRuntime, conmon, stateRoot, containerDir, exitDir, socketDir, logDir, timeout);
    }

    public RuntimeConfig withDefaultRuntime(String name) {
        return new RuntimeConfig(runtimes, name, conmon, stateRoot, containerDir, exitDir, socketDir, logDir, timeout);
    }

    public RuntimeConfig withConmon(Path binary) {
        return new RuntimeConfig(runtimes, defaultRuntime, binary, stateRoot, containerDir, exitDir, socketDir, logDir, timeout);
    }

    public RuntimeConfig withTimeout(Duration t) {
        return new RuntimeConfig(runtimes, defaultRuntime, conmon, stateRoot, containerDir, exitDir, socketDir, logDir, t);
    }
}
