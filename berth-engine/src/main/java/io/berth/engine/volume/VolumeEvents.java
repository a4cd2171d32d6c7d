package io.berth.engine.volume;

import java.util.Map;

/**
 * Where {@link VolumeService} reports Docker's volume events (create, destroy, mount): the engine
 * connects the container service's event bus here, so the volume package needs no bus of its own.
 */
@FunctionalInterface
public interface VolumeEvents {
    VolumeEvents NONE = (action, name, attributes) -> { };

    void publish(String action, String name, Map<String, String> attributes);
}
