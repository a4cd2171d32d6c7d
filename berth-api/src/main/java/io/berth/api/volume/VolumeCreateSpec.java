package io.berth.api.volume;

import java.util.Map;

/** {@code docker volume create}; null name means a generated (anonymous) one; driver null means "local". */
public record VolumeCreateSpec(String name, String driver, Map<String, String> driverOpts, Map<String, String> labels) {
}
