package io.berth.api.container;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What {@link ContainerEngine#events} returns: past events from {@code since} (null: none, only
 * live ones), live events until {@code until} (null: until the stream is closed), matching Docker's
 * filters {@code type}, {@code event}, {@code container}, {@code image}, {@code label}.
 */
public record EventOptions(Instant since, Instant until, Map<String, List<String>> filters) {
    public static final EventOptions LIVE = new EventOptions(null, null, Map.of());

    public EventOptions {
        filters = filters == null ? Map.of() : Map.copyOf(filters);
    }
}
