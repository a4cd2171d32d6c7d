package io.berth.api.container;

import java.time.Instant;

/**
 * @param tail  number of lines from the end, or -1 for all
 * @param since only entries at or after (null: from the start)
 * @param until only entries before (null: no end)
 */
public record LogOptions(boolean stdout, boolean stderr, boolean follow, boolean timestamps, Instant since,
                         Instant until, int tail) {
    public static final LogOptions ALL = new LogOptions(true, true, false, false, null, null, -1);
}
