package io.berth.engine.oci;

import io.berth.spec.runtime.Hooks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Daemon-wide settings that shape every container's spec.
 *
 * @param hooks          OCI hooks added to every container (prestart, createRuntime, poststart, ...)
 * @param initPath       host path of a static init binary (catatonit, tini) for {@code --init}; null = none
 * @param cgroupParent   cgroupfs parent path; a container's cgroup is {@code cgroupParent/ID}
 * @param shmSize        default /dev/shm size in bytes
 * @param defaultUlimits rlimits every container gets unless it sets the same one
 * @param hookRules      hooks chosen per container from a hooks.d directory ({@link HookRules}), after {@code hooks}
 */
public record DaemonDefaults(Hooks hooks, String initPath, String cgroupParent, long shmSize, List<ContainerConfig.Ulimit> defaultUlimits,
                             HookRules hookRules) {
    public static final long DEFAULT_SHM_SIZE = 64L << 20;

    public DaemonDefaults {
        if (hooks == null) hooks = Hooks.NONE;
        if (cgroupParent == null || cgroupParent.isBlank()) cgroupParent = "/berth";
        if (shmSize <= 0) shmSize = DEFAULT_SHM_SIZE;
        defaultUlimits = defaultUlimits == null ? List.of() : List.copyOf(defaultUlimits);
        if (hookRules == null) hookRules = HookRules.NONE;
    }

    public DaemonDefaults(Hooks hooks, String initPath, String cgroupParent, long shmSize, List<ContainerConfig.Ulimit> defaultUlimits) {
        this(hooks, initPath, cgroupParent, shmSize, defaultUlimits, HookRules.NONE);
    }

    /** No hooks, the first init found on this host, /berth, 64 MiB, no ulimits. */
    public static DaemonDefaults standard() {
        return new DaemonDefaults(Hooks.NONE, findInit(), "/berth", DEFAULT_SHM_SIZE, List.of());
    }

    public DaemonDefaults withHooks(Hooks h) { return new DaemonDefaults(h, initPath, cgroupParent, shmSize, defaultUlimits, hookRules); }
    public DaemonDefaults withInitPath(String p) { return new DaemonDefaults(hooks, p, cgroupParent, shmSize, defaultUlimits, hookRules); }
    public DaemonDefaults withDefaultUlimits(List<ContainerConfig.Ulimit> u) { return new DaemonDefaults(hooks, initPath, cgroupParent, shmSize, u, hookRules); }
    public DaemonDefaults withHookRules(HookRules r) { return new DaemonDefaults(hooks, initPath, cgroupParent, shmSize, defaultUlimits, r); }

    /**
     * A statically linked init, since it runs inside images that may have no libc (busybox,
     * distroless): Docker's own docker-init (tini), Debian's tini-static, then catatonit (static in
     * Debian's package). Null when none is installed.
     */
    public static String findInit() {
        for (String p : List.of("/usr/bin/docker-init", "/usr/bin/tini-static", "/usr/libexec/podman/catatonit", "/usr/bin/catatonit")) {
            if (Files.isExecutable(Path.of(p))) return p;
        }
        return null;
    }
}
