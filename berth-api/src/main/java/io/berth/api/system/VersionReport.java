package io.berth.api.system;

/** What {@code docker version} shows for the server. */
public record VersionReport(String version, String apiVersion, String minApiVersion, String gitCommit,
                            String goVersion, String os, String arch, String kernelVersion, String buildTime,
                            String runtimeVersion) {
}
