package io.berth.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Aligns tab-separated cells into columns like Go's text/tabwriter as docker configures it
 * (minwidth 10, padding 3, blanks): a column is as wide as its widest cell plus padding, at least
 * the minimum; the last cell of a line is not padded.
 */
final class TabWriter {
    private final int minWidth, padding;
    private final List<String[]> lines = new ArrayList<>();

    TabWriter() { this(10, 3); }

    TabWriter(int minWidth, int padding) { this.minWidth = minWidth; this.padding = padding; }

    /** Adds text; each '\n' ends a line, each '\t' a cell. */
    void write(String text) {
        for (String line : text.split("\n", -1)) lines.add(line.split("\t", -1));
        if (text.endsWith("\n")) lines.removeLast();
    }

    String render() {
        List<Integer> widths = new ArrayList<>();
        for (String[] cells : lines) {
            for (int c = 0; c < cells.length - 1; c++) {
                int w = Math.max(minWidth, width(cells[c]) + padding);
                if (c < widths.size()) widths.set(c, Math.max(widths.get(c), w)); else widths.add(w);
            }
        }
        StringBuilder b = new StringBuilder();
        for (String[] cells : lines) {
            for (int c = 0; c < cells.length; c++) {
                b.append(cells[c]);
                if (c < cells.length - 1) b.repeat(' ', widths.get(c) - width(cells[c]));
            }
            b.append('\n');
        }
        return b.toString();
    }

    private static int width(String s) { return s.codePointCount(0, s.length()); }
}
