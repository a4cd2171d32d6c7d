package io.berth.cli;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;

/**
 * Human-readable sizes and durations exactly as docker prints them (its go-units package):
 * decimal sizes "1.98MB" via Go's {@code %.Ng} formatting, binary sizes "23.54GiB", and
 * "2 days"-style durations.
 */
final class Units {
    private Units() { }

    private static final String[] DECIMAL = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
    private static final String[] BINARY = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};

    /** go-units HumanSize: 4 significant digits ("1.028MB"), used in progress bars. */
    static String humanSize(double size) { return humanSize(size, 4); }

    /** go-units HumanSizeWithPrecision: {@code docker images} uses 3 ("1.98MB"). */
    static String humanSize(double size, int precision) { return scaled(size, 1000, DECIMAL, precision); }

    /** go-units BytesSize: binary units, 4 significant digits ("23.54GiB"). */
    static String bytesSize(double size) { return scaled(size, 1024, BINARY, 4); }

    private static String scaled(double size, double base, String[] units, int precision) {
        int i = 0;
        while (size >= base && i < units.length - 1) { size /= base; i++; }
        return formatG(size, precision) + units[i];
    }

    /** Go's {@code fmt.Sprintf("%.*g", precision, v)}: shortest digits, exponent form when exp < -4 or ≥ precision. */
    static String formatG(double v, int precision) {
        if (v == 0) return "0";
        if (Double.isNaN(v)) return "NaN";
        if (Double.isInfinite(v)) return v > 0 ? "+Inf" : "-Inf";
        BigDecimal bd = new BigDecimal(v).round(new MathContext(precision, RoundingMode.HALF_EVEN));
        int exp = bd.precision() - bd.scale() - 1;
        if (exp < -4 || exp >= precision) {
            BigDecimal mant = bd.movePointLeft(exp).stripTrailingZeros();
            String m = mant.toPlainString();
            int ae = Math.abs(exp);
            return m + "e" + (exp < 0 ? "-" : "+") + (ae < 10 ? "0" : "") + ae;
        }
        return bd.stripTrailingZeros().toPlainString();
    }

    /** go-units HumanDuration: "Less than a second", "About a minute", "3 hours", "2 weeks", … */
    static String humanDuration(Duration d) {
        long seconds = d.toSeconds();
        if (seconds < 1) return "Less than a second";
        if (seconds == 1) return "1 second";
        if (seconds < 60) return seconds + " seconds";
        long minutes = d.toMinutes();
        if (minutes == 1) return "About a minute";
        if (minutes < 60) return minutes + " minutes";
        long hours = (long) (d.toMillis() / 3_600_000.0 + 0.5);
        if (hours == 1) return "About an hour";
        if (hours < 48) return hours + " hours";
        if (hours < 24 * 7 * 2) return hours / 24 + " days";
        if (hours < 24 * 30 * 2) return hours / 24 / 7 + " weeks";
        if (hours < 24 * 365 * 2) return hours / 24 / 30 + " months";
        return d.toHours() / 24 / 365 + " years";
    }

    /** Docker's Ellipsis: cut to {@code max} characters with a trailing "…". */
    static String ellipsis(String s, int max) {
        int n = s.codePointCount(0, s.length());
        if (n <= max) return s;
        if (max <= 1) return s.substring(0, s.offsetByCodePoints(0, max));
        return s.substring(0, s.offsetByCodePoints(0, max - 1)) + "…";
    }
}
