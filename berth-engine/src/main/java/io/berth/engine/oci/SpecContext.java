package io.berth.engine.oci;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What options may consult besides the spec: the container's id, its root file system on the host
 * (where /etc/passwd is read from, safely) and the host's facts. Warnings are collected here, so
 * an option can degrade a request (a limit above the host's) and say so instead of failing.
 */
public record SpecContext(String containerId, Path rootfs, HostInfo host, List<String> warnings) {
    public SpecContext {
        if (warnings == null) warnings = new ArrayList<>();
    }

    public SpecContext(String containerId, Path rootfs, HostInfo host) {
        this(containerId, rootfs, host, new ArrayList<>());
    }

    public void warn(String message) { warnings.add(message); }
}
