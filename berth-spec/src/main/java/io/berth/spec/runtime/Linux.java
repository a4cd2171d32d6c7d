package io.berth.spec.runtime;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/** The Linux-specific part of the runtime configuration. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Linux(
        @JsonProperty("uidMappings") List<IdMapping> uidMappings,
        @JsonProperty("gidMappings") List<IdMapping> gidMappings,
        @JsonProperty("sysctl") Map<String, String> sysctl,
        @JsonProperty("resources") Resources resources,
        @JsonProperty("cgroupsPath") String cgroupsPath,
        @JsonProperty("namespaces") List<Namespace> namespaces,
        @JsonProperty("devices") List<Device> devices,
        @JsonProperty("seccomp") Seccomp seccomp,
        @JsonProperty("rootfsPropagation") String rootfsPropagation,
        @JsonProperty("maskedPaths") List<String> maskedPaths,
        @JsonProperty("readonlyPaths") List<String> readonlyPaths,
        @JsonProperty("mountLabel") String mountLabel,
        @JsonProperty("intelRdt") IntelRdt intelRdt,
        @JsonProperty("personality") Personality personality) {

    public static final Linux EMPTY = new Linux(null, null, null, null, null, null, null, null, null, null, null, null, null, null);

    public Linux {
        uidMappings = Lists.copy(uidMappings);
        gidMappings = Lists.copy(gidMappings);
        sysctl = Lists.copy(sysctl);
        namespaces = Lists.copy(namespaces);
        devices = Lists.copy(devices);
        maskedPaths = Lists.copy(maskedPaths);
        readonlyPaths = Lists.copy(readonlyPaths);
    }

    public Linux withIdMappings(List<IdMapping> uid, List<IdMapping> gid) { return new Linux(uid, gid, sysctl, resources, cgroupsPath, namespaces, devices, seccomp, rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, intelRdt, personality); }
    public Linux withSysctl(Map<String, String> s) { return new Linux(uidMappings, gidMappings, s, resources, cgroupsPath, namespaces, devices, seccomp, rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, intelRdt, personality); }
    public Linux withResources(Resources r) { return new Linux(uidMappings, gidMappings, sysctl, r, cgroupsPath, namespaces, devices, seccomp, rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, intelRdt, personality); }
    public Linux withCgroupsPath(String c) { return new Linux(uidMappings, gidMappings, sysctl, resources, c, namespaces, devices, seccomp, rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, intelRdt, personality); }
    public Linux withNamespaces(List<Namespace> n) { return new Linux(uidMappings, gidMappings, sysctl, resources, cgroupsPath, n, devices, seccomp, rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, intelRdt, personality); }
    public Linux withDevices(List<Device> d) { return new Linux(uidMappings, gidMappings, sysctl, resources, cgroupsPath, namespaces, d, seccomp, rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, intelRdt, personality); }
    public Linux withSeccomp(Seccomp s) { return new Linux(uidMappings, gidMappings, sysctl, resources, cgroupsPath, namespaces, devices, s, rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, intelRdt, personality); }
    public Linux withRootfsPropagation(String p) { return new Linux(uidMappings, gidMappings, sysctl, resources, cgroupsPath, namespaces, devices, seccomp, p, maskedPaths, readonlyPaths, mountLabel, intelRdt, personality); }
    public Linux withMaskedPaths(List<String> m) { return new Linux(uidMappings, gidMappings, sysctl, resources, cgroupsPath, namespaces, devices, seccomp, rootfsPropagation, m, readonlyPaths, mountLabel, intelRdt, personality); }
    public Linux withReadonlyPaths(List<String> r) { return new Linux(uidMappings, gidMappings, sysctl, resources, cgroupsPath, namespaces, devices, seccomp, rootfsPropagation, maskedPaths, r, mountLabel, intelRdt, personality); }
    public Linux withMountLabel(String m) { return new Linux(uidMappings, gidMappings, sysctl, resources, cgroupsPath, namespaces, devices, seccomp, rootfsPropagation, maskedPaths, readonlyPaths, m, intelRdt, personality); }
    public Linux withPersonality(Personality p) { return new Linux(uidMappings, gidMappings, sysctl, resources, cgroupsPath, namespaces, devices, seccomp, rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, intelRdt, p); }

    /** A user-namespace id range: {@code size} ids from {@code containerID} map to {@code hostID}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record IdMapping(@JsonProperty("containerID") long containerId, @JsonProperty("hostID") long hostId,
                            @JsonProperty("size") long size) {}

    /**
     * A namespace to create ({@code path} absent) or join ({@code path} names an nsfs file such as
     * /proc/PID/ns/net). Types: pid, network, mount, ipc, uts, user, cgroup.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Namespace(@JsonProperty("type") String type, @JsonProperty("path") String path) {
        public static Namespace of(String type) { return new Namespace(type, null); }
    }

    /** A device node the runtime creates in the container's /dev. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Device(
            @JsonProperty("type") String type,
            @JsonProperty("path") String path,
            @JsonProperty("major") Long major,
            @JsonProperty("minor") Long minor,
            @JsonProperty("fileMode") Integer fileMode,
            @JsonProperty("uid") Long uid,
            @JsonProperty("gid") Long gid) {}

    /** Intel RDT (resctrl) class of service; passed through, Berth does not generate it. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record IntelRdt(
            @JsonProperty("closID") String closId,
            @JsonProperty("l3CacheSchema") String l3CacheSchema,
            @JsonProperty("memBwSchema") String memBwSchema) {}

    /** personality(2) domain, e.g. LINUX32 for a 32-bit userland on a 64-bit kernel. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Personality(@JsonProperty("domain") String domain, @JsonProperty("flags") List<String> flags) {}
}
