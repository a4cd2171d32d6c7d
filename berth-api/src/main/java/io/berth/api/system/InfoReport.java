package io.berth.api.system;

import java.util.List;

/** What {@code docker info} shows. */
public record InfoReport(String id, int containers, int containersRunning, int containersPaused, int containersStopped,
                         int images, String driver, List<List<String>> driverStatus, String rootDir,
                         String kernelVersion, String operatingSystem, String osVersion, String architecture,
                         int ncpu, long memTotal, String name, String serverVersion, String cgroupVersion,
                         String cgroupDriver, List<String> insecureRegistryCidrs, List<String> warnings) {
}
