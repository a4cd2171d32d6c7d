package io.berth.engine.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The inotify wake-up of container monitors: a write of the exit file ends the wait long before its timeout. */
class ExitWatchTest {
    @TempDir Path tmp;

    @Test
    void wakesTheSubscriberOfTheWrittenFileOnly() throws Exception {
        Path exits = tmp.resolve("exits");
        try (ExitWatch w = new ExitWatch(exits); ExitWatch.Signal a = w.subscribe("a"); ExitWatch.Signal b = w.subscribe("b")) {
            Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(200);
                    Files.writeString(exits.resolve("a"), "0");
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            long t0 = System.nanoTime();
            a.await(Duration.ofSeconds(20), Duration.ofMillis(20));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
            assertThat(exits.resolve("a")).hasContent("0");

            t0 = System.nanoTime();
            b.await(Duration.ofMillis(300), Duration.ofMillis(20)); // nothing for b: the full timeout
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(290));
        }
    }

    @Test
    void aChangeBeforeTheWaitIsNotLost() throws Exception {
        Path exits = tmp.resolve("exits");
        try (ExitWatch w = new ExitWatch(exits); ExitWatch.Signal s = w.subscribe("c")) {
            Files.writeString(exits.resolve("c"), "137");
            Thread.sleep(300); // the event arrives while nobody waits
            long t0 = System.nanoTime();
            s.await(Duration.ofSeconds(20), Duration.ofMillis(20));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void closedWatchFallsBackToPolling() throws Exception {
        ExitWatch w = new ExitWatch(tmp.resolve("exits"));
        try (ExitWatch.Signal s = w.subscribe("d")) {
            w.close();
            long t0 = System.nanoTime();
            s.await(Duration.ofSeconds(20), Duration.ofMillis(50));
            s.await(Duration.ofSeconds(20), Duration.ofMillis(50)); // the close's wake-up is used up: now a 50 ms poll
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        }
    }
}
