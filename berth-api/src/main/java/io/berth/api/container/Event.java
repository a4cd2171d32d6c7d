package io.berth.api.container;

import java.util.Map;

/**
 * One engine event as Docker reports it: {@code type} "container" or "image", {@code action}
 * ("create", "die", "exec_start: sh -c x", "pull"…), the actor's ID and attributes (image, name,
 * labels, exitCode, signal…) and the time in nanoseconds since the epoch.
 *
 * @param from the image reference for container events (Docker's legacy "from"), else null
 */
public record Event(String type, String action, String actorId, Map<String, String> attributes, String from, long timeNano) {
    public Event {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }
}
