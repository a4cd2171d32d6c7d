package io.berth.it;

import io.berth.it.fixture.CommandResult;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many attached {@code docker run --rm} at once, each silent for a while, with more of them than the
 * host has CPUs. An attach stream waits in a foreign recv() call, which pins a virtual thread to its
 * carrier; berthd once let those waits take every carrier, so the next container's start (and every
 * other request) never ran: the 8-way burst of bench/run hung with seven containers "created".
 */
class ParallelAttachIT extends OnBusyboxDaemon {
    static final int RUNS = 12;
    /** how long each container stays silent before its one line */
    static final int SILENT_S = 20;

    @Test
    void moreSilentAttachedRunsThanCpusAllRunAtOnce() throws Exception {
        assertThat(RUNS).isGreaterThan(2 * Runtime.getRuntime().availableProcessors());
        List<Future<CommandResult>> runs = new ArrayList<>();
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(RUNS)) {
            for (int i = 0; i < RUNS; i++) {
                String word = "done-" + i;
                runs.add(pool.submit(() -> docker.run("run", "--rm", "--network", "none", image, "sh", "-c", "sleep " + SILENT_S + "; echo " + word)));
            }
            // Every one is started while all of them are still silent: none waits for another to finish.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SILENT_S - 6);
            int running = 0;
            while (System.nanoTime() < deadline && (running = docker.ok("ps", "-q").lines().size()) < RUNS) Thread.sleep(200);
            assertThat(running).as("containers running at once, %d s after the first docker run", SILENT_S - 6).isEqualTo(RUNS);
            for (int i = 0; i < RUNS; i++) {
                CommandResult r = runs.get(i).get(120, TimeUnit.SECONDS);
                assertThat(r.exitCode()).as("run %d: %s", i, r).isZero();
                assertThat(r.stdout()).as("run %d", i).contains("done-" + i);
            }
        }
        System.err.printf("ParallelAttachIT: %d attached runs in %d ms%n", RUNS, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        assertThat(docker.ok("ps", "-aq").lines()).as("--rm removed them all").isEmpty();
    }
}
