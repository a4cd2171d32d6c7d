package io.berth.cli;

import io.berth.client.JsonMessage;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;

/**
 * Prints Docker's streaming JSON (pull, load) the way the docker CLI does.
 *
 * <p>On a terminal every layer gets its own line, redrawn in place: a line is remembered by its
 * layer id, and an update moves the cursor up to it (ESC[nA), clears it (ESC[2K), rewrites it and
 * moves back down (ESC[nB). A line without a layer id (e.g. "Digest: …") ends that group. Not on a
 * terminal, byte counts are left out and each state change is one plain "id: status" line, so
 * logs stay readable.
 */
final class ProgressPrinter {
    private final PrintStream out;
    private final boolean tty;
    private final long startNanos = System.nanoTime();
    private Map<String, Integer> lines = new HashMap<>();

    ProgressPrinter(PrintStream out, boolean tty) { this.out = out; this.tty = tty; }

    void accept(JsonMessage m) {
        if (m.error() != null) return; // the caller turns it into an error message
        int diff = 0;
        if (m.id() != null && m.hasProgress()) {
            Integer line = lines.get(m.id());
            if (line == null) {
                line = lines.size();
                lines.put(m.id(), line);
                if (tty) out.print('\n');
            }
            diff = lines.size() - line;
            if (tty) out.print("\u001b[" + diff + "A");
        } else {
            lines = new HashMap<>();
        }
        display(m);
        if (m.id() != null && tty && diff > 0) out.print("\u001b[" + diff + "B");
        if (tty) out.flush();
    }

    private void display(JsonMessage m) {
        String bar = bar(m.current(), m.total());
        String endl = "";
        if (tty && m.stream() == null && m.hasProgress()) {
            out.print("\u001b[2K\r");
            endl = "\r";
        } else if (m.hasProgress() && !bar.isEmpty()) {
            return; // byte counts only make sense redrawn in place
        }
        if (m.id() != null) out.print(m.id() + ": ");
        if (m.hasProgress() && tty) out.print((m.status() == null ? "" : m.status()) + " " + bar + endl);
        else if (m.stream() != null) out.print(m.stream() + endl);
        else out.print((m.status() == null ? "" : m.status()) + endl + "\n");
    }

    /** "[=====>      ]  1.2MB/3.4MB": 50 columns of bar like docker's, then the byte counts. */
    String bar(long current, long total) {
        if (current <= 0 && total <= 0) return "";
        if (total <= 0) return String.format("%8s", Units.humanSize(current));
        int pct = (int) ((double) current / total * 100) / 2;
        if (pct > 50) pct = 50;
        String box = "[" + "=".repeat(pct) + ">" + " ".repeat(Math.max(0, 50 - pct)) + "] ";
        String numbers = current > total ? String.format("%8s", Units.humanSize(current))
                : String.format("%8s/%s", Units.humanSize(current), Units.humanSize(total));
        return box + numbers;
    }

    long elapsedNanos() { return System.nanoTime() - startNanos; }
}
