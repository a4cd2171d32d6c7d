package io.berth.engine.runtime;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Tells a container's monitor the moment conmon writes its exit file, through one inotify watch
 * (the JDK's WatchService) on the exit directory, instead of every monitor re-reading its file every
 * few milliseconds: the exit is seen within a millisecond rather than half a poll interval later, and
 * an idle running container costs no wake-ups. A {@link Signal} is only a hint to look again: the exit
 * file stays the truth, so a lost event (queue overflow, which wakes everyone) or a watch that cannot
 * be set up (inotify limits) only makes the monitor fall back to its timeout.
 */
public final class ExitWatch implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ExitWatch.class.getName());

    private final Path dir;
    private final Map<String, Signal> signals = new ConcurrentHashMap<>();
    private volatile boolean started, broken;
    /** The inotify instance while watching (a per-user kernel resource, 128 by default: closed with the service). */
    private WatchService watch;

    ExitWatch(Path dir) { this.dir = dir; }

    /** A subscription to one container's exit file; subscribe before the first read of the file. */
    public final class Signal implements AutoCloseable {
        private final String id;
        private final Semaphore changed = new Semaphore(0);

        private Signal(String id) { this.id = id; }

        /**
         * Waits until the exit file may have changed, or {@code max} passed. Returns at once after a
         * change since the last call. With no working watch it waits {@code fallback} (a poll).
         */
        public void await(Duration max, Duration fallback) throws InterruptedException {
            Duration d = broken ? fallback : max;
            if (changed.tryAcquire(d.toNanos(), TimeUnit.NANOSECONDS)) changed.drainPermits();
        }

        @Override public void close() { signals.remove(id, this); }
    }

    Signal subscribe(String id) {
        start();
        Signal s = new Signal(id);
        Signal old = signals.put(id, s);
        if (old != null) old.changed.release(); // a stale monitor of an earlier run: let it look again
        return s;
    }

    private void start() {
        if (started) return;
        synchronized (this) {
            if (started) return;
            started = true;
            try {
                Files.createDirectories(dir);
                WatchService ws = FileSystems.getDefault().newWatchService();
                try {
                    dir.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
                } catch (IOException | RuntimeException e) {
                    ws.close();
                    throw e;
                }
                watch = ws;
                Thread.ofPlatform().daemon().name("berth-exit-watch").start(() -> dispatch(ws));
            } catch (IOException | RuntimeException e) {
                broken = true;
                LOG.log(System.Logger.Level.WARNING, "watching exit files in " + dir + ": " + e.getMessage() + "; polling instead");
            }
        }
    }

    /** Stops watching (monitors fall back to polling) and releases the inotify instance. */
    @Override
    public synchronized void close() {
        started = true; // no later subscription starts a new watch
        broken = true;
        if (watch != null) {
            try {
                watch.close();
            } catch (IOException ignored) {
                // nothing left to release
            }
            watch = null;
        }
        for (Signal s : signals.values()) s.changed.release();
    }

    private void dispatch(WatchService ws) {
        try {
            for (;;) {
                WatchKey key = ws.take();
                for (WatchEvent<?> e : key.pollEvents()) {
                    if (e.kind() == StandardWatchEventKinds.OVERFLOW) {
                        for (Signal s : signals.values()) s.changed.release();
                    } else if (e.context() instanceof Path p) {
                        Signal s = signals.get(p.getFileName().toString());
                        if (s != null) s.changed.release();
                    }
                }
                if (!key.reset()) { // the directory went away: nobody can be told any more
                    broken = true;
                    for (Signal s : signals.values()) s.changed.release();
                    return;
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            broken = true;
        }
    }
}
