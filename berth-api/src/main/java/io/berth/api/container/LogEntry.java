package io.berth.api.container;

import java.time.Instant;

/** One log line (with its newline, if it had one) from the container's stdout or stderr. */
public record LogEntry(Instant time, StdStream stream, byte[] data) {
}
