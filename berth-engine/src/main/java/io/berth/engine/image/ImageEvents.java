package io.berth.engine.image;

import java.util.Map;

/**
 * Where {@link ImageService} reports Docker's image events (pull, tag, untag, delete, load, save):
 * the container service connects its event bus here, so the image package needs no bus of its own.
 */
@FunctionalInterface
public interface ImageEvents {
    ImageEvents NONE = (action, id, attributes) -> { };

    /** {@code id} is the actor's ID as Docker reports it (the reference for pull/save/load, the image ID otherwise). */
    void publish(String action, String id, Map<String, String> attributes);
}
