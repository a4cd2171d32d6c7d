package io.berth.cli;

import io.berth.client.JsonMessage;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressPrinterTest {
    static final List<JsonMessage> PULL = List.of(
            JsonMessage.status("latest", "Pulling from library/busybox"),
            JsonMessage.progress("aaa", "Pulling fs layer", -1, -1),
            JsonMessage.progress("bbb", "Pulling fs layer", -1, -1),
            JsonMessage.progress("aaa", "Downloading", 500_000, 1_000_000),
            JsonMessage.progress("bbb", "Downloading", 1_000, 2_000),
            JsonMessage.progress("aaa", "Download complete", -1, -1),
            JsonMessage.progress("aaa", "Pull complete", -1, -1),
            JsonMessage.status(null, "Digest: sha256:72158f"),
            JsonMessage.status(null, "Status: Downloaded newer image for busybox:latest"));

    private static String render(boolean tty) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(b, true, StandardCharsets.UTF_8);
        ProgressPrinter p = new ProgressPrinter(out, tty);
        PULL.forEach(p::accept);
        return b.toString(StandardCharsets.UTF_8);
    }

    @Test void plainOutputHasOneLinePerStateAndNoByteCounts() {
        assertThat(render(false)).isEqualTo("""
                latest: Pulling from library/busybox
                aaa: Pulling fs layer
                bbb: Pulling fs layer
                aaa: Download complete
                aaa: Pull complete
                Digest: sha256:72158f
                Status: Downloaded newer image for busybox:latest
                """);
    }

    @Test void terminalOutputRedrawsEachLayerLineInPlace() {
        String esc = "\u001b";
        String bar = new ProgressPrinter(null, true).bar(500_000, 1_000_000);
        assertThat(bar).isEqualTo("[=========================>                         ]    500kB/1MB");
        assertThat(render(true)).isEqualTo(
                "latest: Pulling from library/busybox\n"
                        // new layer: newline, up 1, clear, draw, down 1
                        + "\n" + esc + "[1A" + esc + "[2K\raaa: Pulling fs layer \r" + esc + "[1B"
                        + "\n" + esc + "[1A" + esc + "[2K\rbbb: Pulling fs layer \r" + esc + "[1B"
                        // update of the first of two lines: up 2 … down 2
                        + esc + "[2A" + esc + "[2K\raaa: Downloading " + bar + "\r" + esc + "[2B"
                        + esc + "[1A" + esc + "[2K\rbbb: Downloading [=========================>                         ]      1kB/2kB\r" + esc + "[1B"
                        + esc + "[2A" + esc + "[2K\raaa: Download complete \r" + esc + "[2B"
                        + esc + "[2A" + esc + "[2K\raaa: Pull complete \r" + esc + "[2B"
                        + "Digest: sha256:72158f\n"
                        + "Status: Downloaded newer image for busybox:latest\n");
    }

    @Test void loadStreamLinesPrintAsIs() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ProgressPrinter p = new ProgressPrinter(new PrintStream(b, true, StandardCharsets.UTF_8), false);
        p.accept(new JsonMessage(null, null, -1, -1, false, null, "Loaded image: busybox:latest\n", null));
        assertThat(b.toString(StandardCharsets.UTF_8)).isEqualTo("Loaded image: busybox:latest\n");
    }
}
