package io.berth.server.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.berth.api.system.VersionReport;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code GET /version} (Docker's types.Version). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VersionJson(
        @JsonProperty("Platform") Map<String, String> platform,
        @JsonProperty("Components") List<Component> components,
        @JsonProperty("Version") String version,
        @JsonProperty("ApiVersion") String apiVersion,
        @JsonProperty("MinAPIVersion") String minApiVersion,
        @JsonProperty("GitCommit") String gitCommit,
        @JsonProperty("GoVersion") String goVersion,
        @JsonProperty("Os") String os,
        @JsonProperty("Arch") String arch,
        @JsonProperty("KernelVersion") String kernelVersion,
        @JsonProperty("BuildTime") String buildTime) {

    public record Component(@JsonProperty("Name") String name, @JsonProperty("Version") String version,
                            @JsonProperty("Details") Map<String, String> details) {}

    /**
     * The Docker Engine release that introduced API 1.44, the highest this server speaks. Clients compare the
     * top-level {@code Version} with Docker releases (Testcontainers refuses a server below "1.6.0"), so it
     * carries this number with Berth's own version as a suffix; the Engine component keeps Berth's version.
     */
    static final String DOCKER_RELEASE = "25.0.0";

    /** {@code 25.0.0-berth.0.1.0}: sorts as Docker 25 for version checks and still names the Berth release. */
    public static String dockerCompatible(String berthVersion) {
        return DOCKER_RELEASE + "-berth." + nz(berthVersion);
    }

    /** The API versions are the server's (it is the server that speaks them), not the engine's. */
    public static VersionJson from(VersionReport v, String apiVersion, String minApiVersion) {
        Map<String, String> engine = new LinkedHashMap<>();
        engine.put("ApiVersion", apiVersion);
        engine.put("Arch", nz(v.arch()));
        engine.put("BuildTime", nz(v.buildTime()));
        engine.put("Experimental", "false");
        engine.put("GitCommit", nz(v.gitCommit()));
        engine.put("GoVersion", nz(v.goVersion()));
        engine.put("KernelVersion", nz(v.kernelVersion()));
        engine.put("MinAPIVersion", minApiVersion);
        engine.put("Os", nz(v.os()));
        List<Component> components = new ArrayList<>();
        components.add(new Component("Engine", nz(v.version()), engine));
        if (v.runtimeVersion() != null) components.add(new Component("runc", v.runtimeVersion(), Map.of("GitCommit", "")));
        return new VersionJson(Map.of("Name", "Berth"), components, dockerCompatible(v.version()), apiVersion, minApiVersion,
                nz(v.gitCommit()), nz(v.goVersion()), nz(v.os()), nz(v.arch()), nz(v.kernelVersion()), nz(v.buildTime()));
    }

    static String nz(String s) { return s == null ? "" : s; }
}
