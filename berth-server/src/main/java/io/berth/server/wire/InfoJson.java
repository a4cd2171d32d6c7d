package io.berth.server.wire;

import io.berth.api.system.InfoReport;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /info} (Docker's system.Info). Rendered as an ordered map: the shape has ~70 keys of
 * which Berth fills a few from the engine and answers the rest with constants that keep the docker
 * CLI and docker-java content (plugins, swarm inactive, runc as the runtime).
 */
public final class InfoJson {
    private InfoJson() {}

    public static Map<String, Object> from(InfoReport i, Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ID", VersionJson.nz(i.id()));
        m.put("Containers", i.containers());
        m.put("ContainersRunning", i.containersRunning());
        m.put("ContainersPaused", i.containersPaused());
        m.put("ContainersStopped", i.containersStopped());
        m.put("Images", i.images());
        m.put("Driver", VersionJson.nz(i.driver()));
        m.put("DriverStatus", i.driverStatus() == null ? List.of() : i.driverStatus());
        m.put("Plugins", Map.of(
                "Volume", List.of("local"),
                "Network", List.of("bridge", "host", "null"),
                "Authorization", List.of(),
                "Log", List.of("k8s-file")));
        m.put("MemoryLimit", true);
        m.put("SwapLimit", true);
        m.put("CpuCfsPeriod", true);
        m.put("CpuCfsQuota", true);
        m.put("CPUShares", true);
        m.put("CPUSet", true);
        m.put("PidsLimit", true);
        m.put("IPv4Forwarding", true);
        m.put("BridgeNfIptables", true);
        m.put("BridgeNfIp6tables", true);
        m.put("Debug", false);
        m.put("NFd", 0);
        m.put("OomKillDisable", false);
        m.put("NGoroutines", 0);
        m.put("SystemTime", WireTime.rfc3339Nano(now));
        m.put("LoggingDriver", "k8s-file");
        m.put("CgroupDriver", VersionJson.nz(i.cgroupDriver()));
        m.put("CgroupVersion", VersionJson.nz(i.cgroupVersion()));
        m.put("NEventsListener", 0);
        m.put("KernelVersion", VersionJson.nz(i.kernelVersion()));
        m.put("OperatingSystem", VersionJson.nz(i.operatingSystem()));
        m.put("OSVersion", VersionJson.nz(i.osVersion()));
        m.put("OSType", "linux");
        m.put("Architecture", VersionJson.nz(i.architecture()));
        m.put("IndexServerAddress", "https://index.docker.io/v1/");
        m.put("RegistryConfig", registryConfig(i.insecureRegistryCidrs()));
        m.put("NCPU", i.ncpu());
        m.put("MemTotal", i.memTotal());
        m.put("GenericResources", null);
        m.put("DockerRootDir", VersionJson.nz(i.rootDir()));
        m.put("HttpProxy", "");
        m.put("HttpsProxy", "");
        m.put("NoProxy", "");
        m.put("Name", VersionJson.nz(i.name()));
        m.put("Labels", List.of());
        m.put("ExperimentalBuild", false);
        m.put("ServerVersion", VersionJson.nz(i.serverVersion()));
        m.put("Runtimes", Map.of("runc", Map.of("path", "runc")));
        m.put("DefaultRuntime", "runc");
        m.put("Swarm", swarm());
        m.put("LiveRestoreEnabled", false);
        m.put("Isolation", "");
        m.put("InitBinary", "");
        m.put("ContainerdCommit", Map.of("ID", "", "Expected", ""));
        m.put("RuncCommit", Map.of("ID", "", "Expected", ""));
        m.put("InitCommit", Map.of("ID", "", "Expected", ""));
        m.put("SecurityOptions", List.of());
        m.put("Warnings", i.warnings() == null || i.warnings().isEmpty() ? null : i.warnings());
        return m;
    }

    /** CIDRs go to InsecureRegistryCIDRs; host[:port] names become insecure index configs, as dockerd splits them. */
    private static Map<String, Object> registryConfig(List<String> insecure) {
        List<String> cidrs = new ArrayList<>();
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("docker.io", Map.of("Name", "docker.io", "Mirrors", List.of(), "Secure", true, "Official", true));
        for (String s : insecure == null ? List.<String>of() : insecure) {
            if (s.contains("/")) cidrs.add(s);
            else index.put(s, Map.of("Name", s, "Mirrors", List.of(), "Secure", false, "Official", false));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("AllowNondistributableArtifactsCIDRs", List.of());
        m.put("AllowNondistributableArtifactsHostnames", List.of());
        m.put("InsecureRegistryCIDRs", cidrs);
        m.put("IndexConfigs", index);
        m.put("Mirrors", List.of());
        return m;
    }

    private static Map<String, Object> swarm() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("NodeID", "");
        m.put("NodeAddr", "");
        m.put("LocalNodeState", "inactive");
        m.put("ControlAvailable", false);
        m.put("Error", "");
        m.put("RemoteManagers", null);
        return m;
    }
}
