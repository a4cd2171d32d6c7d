package io.berth.engine.network;

import io.berth.api.BerthException;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The network work done ahead of time and in the background, so that a container's start and removal
 * do not wait for netavark (a few hundred milliseconds and a dozen iptables processes per setup and per
 * teardown):
 * <ul>
 * <li>up to {@code target} <em>warm</em> namespaces, made one at a time on a filler thread; {@link #take}
 *     hands one out (never twice) and asks for a replacement;</li>
 * <li><em>retired</em> keys (a warm namespace gone bad, a container's namespace after its exit), torn
 *     down in order on one teardown thread; {@link #settleTeardowns} waits for that queue.</li>
 * </ul>
 * What a namespace is and how it is made or torn down is the {@link Plumbing}'s (NetworkService: a
 * namespace file, a lease and netavark's veth). Both threads start a task {@link #QUIET} after it was
 * handed over, not at once: a refill runs while the claiming container is being created and a teardown
 * while its removal runs, and netavark's processes competing for the CPU would slow exactly the start or
 * removal this work was moved away from. Tasks queued behind one do not wait again.
 *
 * <pre>{@code
 * NamespaceReserve r = new NamespaceReserve(4, plumbing);
 * r.start();                 // after recovery: fill up to 4
 * String key = r.take();     // null when none is ready
 * r.retire(key);             // tear it down in the background
 * r.close();                 // finish the queue, tear down what is still warm
 * }</pre>
 */
final class NamespaceReserve implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(NamespaceReserve.class.getName());
    static final Duration QUIET = Duration.ofMillis(250);

    /** Makes and unmakes one namespace. */
    interface Plumbing {
        /** Sets up a new warm namespace and returns its key; on failure undoes its part and throws. */
        String makeWarm();

        /** Tears down whatever the key holds, here and now; does not throw for things already gone. */
        void tearDownNow(String key);
    }

    private final int target;
    private final Plumbing plumbing;
    private final ConcurrentLinkedQueue<String> warm = new ConcurrentLinkedQueue<>();
    private final ExecutorService filler = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("berth-net-warm").factory());
    private final ExecutorService retirer = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("berth-net-teardown").factory());
    private volatile boolean started, closed;

    NamespaceReserve(int target, Plumbing plumbing) {
        this.target = target;
        this.plumbing = plumbing;
    }

    /** Begins filling (after the engine's recovery, which would tear down anything made before it). */
    void start() {
        started = true;
        refillSoon();
    }

    /** A warm namespace's key, or null when none is ready; a replacement is made in the background. */
    String take() {
        String w = warm.poll();
        if (w != null) refillSoon();
        return w;
    }

    /** How many warm namespaces are ready now. */
    int ready() { return warm.size(); }

    /** Tears down {@code key} in the background (or here, once closing). */
    void retire(String key) {
        try {
            retirer.execute(deferred(() -> plumbing.tearDownNow(key)));
        } catch (RejectedExecutionException e) {
            plumbing.tearDownNow(key);
        }
    }

    /** Waits until every teardown handed over so far has finished. */
    void settleTeardowns() {
        await(retirer, "network teardowns", true);
    }

    /** Waits until both threads are idle: teardowns done, the warm namespaces topped up (tests, leak checks). */
    void settle() {
        settleTeardowns();
        await(filler, "warm namespaces", false);
    }

    /** Finishes queued work, then tears down the warm namespaces. */
    @Override
    public void close() {
        closed = true;
        for (ExecutorService x : new ExecutorService[]{filler, retirer}) {
            x.shutdown();
            try {
                if (!x.awaitTermination(2, TimeUnit.MINUTES)) LOG.log(System.Logger.Level.WARNING, "network background work still running at close");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (String w = warm.poll(); w != null; w = warm.poll()) plumbing.tearDownNow(w);
    }

    private void refillSoon() {
        if (!started || closed || target == 0) return;
        try {
            filler.execute(deferred(this::fill));
        } catch (RejectedExecutionException ignored) {
            // closing
        }
    }

    private void fill() {
        while (!closed && warm.size() < target) {
            try {
                warm.add(plumbing.makeWarm());
            } catch (RuntimeException e) {
                // no retry loop: the next take tries again
                LOG.log(System.Logger.Level.WARNING, "preparing a warm network namespace: " + e.getMessage());
                return;
            }
        }
    }

    private static Runnable deferred(Runnable r) {
        long due = System.nanoTime() + QUIET.toNanos();
        return () -> {
            long wait = due - System.nanoTime();
            if (wait > 0) {
                try {
                    Thread.sleep(Duration.ofNanos(wait));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            r.run();
        };
    }

    private static void await(ExecutorService x, String what, boolean strict) {
        try {
            x.submit(() -> { }).get(2, TimeUnit.MINUTES);
        } catch (RejectedExecutionException e) {
            // closed: the work ran in the caller
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (strict) throw BerthException.unavailable("interrupted while waiting for %s", what);
        } catch (ExecutionException | TimeoutException e) {
            throw BerthException.unavailable("waiting for %s: %s", what, e.getMessage());
        }
    }
}
