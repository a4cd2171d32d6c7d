package io.berth.server.api;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Docker API version such as 1.44, compared numerically per component (1.9 &lt; 1.10), as moby's
 * versions package does.
 */
public record ApiVersion(int major, int minor) implements Comparable<ApiVersion> {
    public static final ApiVersion MAX = new ApiVersion(1, 44);
    public static final ApiVersion MIN = new ApiVersion(1, 24);

    private static final Pattern PREFIX = Pattern.compile("^/v([0-9]+)\\.([0-9]+)(/.*)?$");

    /** A request path split into its optional {@code /vX.Y} prefix and the route path. */
    public record Split(ApiVersion version, String path) {}

    /**
     * Splits {@code /v1.44/images/json} into (1.44, {@code /images/json}); a path without a prefix
     * gets a null version. Only {@code /vMAJOR.MINOR} counts as a prefix, as moby's router has it.
     */
    public static Split split(String path) {
        Matcher m = PREFIX.matcher(path);
        if (!m.matches()) return new Split(null, path);
        try {
            ApiVersion v = new ApiVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
            return new Split(v, m.group(3) == null ? "/" : m.group(3));
        } catch (NumberFormatException e) { // absurdly long digits: not a version prefix
            return new Split(null, path);
        }
    }

    public boolean lessThan(ApiVersion o) { return compareTo(o) < 0; }

    @Override public int compareTo(ApiVersion o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override public String toString() { return major + "." + minor; }
}
