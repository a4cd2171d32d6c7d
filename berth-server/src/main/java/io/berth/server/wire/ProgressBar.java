package io.berth.server.wire;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * The {@code "progress"} string of Docker's JSON messages, rendered the way the daemon renders it
 * (moby's jsonmessage.JSONProgress at its default width of 200 columns): a 50-cell bar and
 * decimal human sizes with four significant digits, {@code [=>      ]  36.56kB/1.028MB}.
 */
public final class ProgressBar {
    private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};

    private ProgressBar() {}

    public static String render(long current, long total) {
        if (current <= 0 && total <= 0) return "";
        if (total <= 0) return String.format("%8s", humanSize(current));
        int cells = (int) ((double) current / total * 100) / 2;
        if (cells > 50) cells = 50;
        String bar = "[" + "=".repeat(cells) + ">" + " ".repeat(50 - cells) + "] ";
        String numbers = current > total
                ? String.format("%8s", humanSize(current))
                : String.format("%8s/%s", humanSize(current), humanSize(total));
        return bar + numbers;
    }

    /** Go's units.HumanSize: base 1000, {@code %.4g} (which drops trailing zeros). */
    public static String humanSize(double size) {
        int i = 0;
        while (size >= 1000 && i < UNITS.length - 1) { size /= 1000; i++; }
        BigDecimal d = new BigDecimal(size).round(new MathContext(4)).stripTrailingZeros();
        return d.toPlainString() + UNITS[i];
    }
}
