package io.berth.engine.snapshot;

import java.time.Instant;
import java.util.Map;

/** @param parent the committed snapshot this one stacks on, or null */
public record SnapshotInfo(String key, String parent, Kind kind, Instant created, Map<String, String> labels) {
    public enum Kind { ACTIVE, VIEW, COMMITTED }
}
