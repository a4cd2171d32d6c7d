package io.berth.server.wire;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Go's time formats as Docker writes them. */
public final class WireTime {
    /** Go's zero time, which Docker writes for "never". */
    public static final String ZERO = "0001-01-01T00:00:00Z";
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    private WireTime() {}

    /**
     * RFC3339Nano as Go prints it: fraction only when non-zero and without trailing zeros
     * ({@code …:15.4976735Z}), unlike {@link Instant#toString()} which pads to groups of three.
     */
    public static String rfc3339Nano(Instant t) {
        if (t == null) return ZERO;
        StringBuilder sb = new StringBuilder(SECONDS.format(t));
        int nanos = t.getNano();
        if (nanos != 0) {
            String frac = String.format("%09d", nanos);
            int end = frac.length();
            while (frac.charAt(end - 1) == '0') end--;
            sb.append('.').append(frac, 0, end);
        }
        return sb.append('Z').toString();
    }

    /** Unix seconds, as image lists and history carry them. */
    public static long unix(Instant t) { return t == null ? 0 : t.getEpochSecond(); }
}
