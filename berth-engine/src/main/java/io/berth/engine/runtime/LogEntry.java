package io.berth.engine.runtime;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One line of container output as logs return it: partial records joined, ending in {@code \n} unless
 * the process ended without one.
 *
 * @param time when conmon read the first piece of it
 */
public record LogEntry(Instant time, StdStream stream, byte[] data) {
    public String text() { return new String(data, StandardCharsets.UTF_8); }

    @Override public String toString() { return time + " " + stream + " " + text().strip(); }
}
