package io.berth.engine.image;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Content and snapshots that an operation in flight is creating, so garbage collection running at
 * the same time leaves them alone. An operation takes its lease before it creates anything, and the
 * collector reads leases after listing what exists, so it can never see an unleased new object.
 */
final class Leases {
    private final Set<String> held = ConcurrentHashMap.newKeySet();

    Lease acquire(Iterable<String> ids) {
        java.util.List<String> mine = new java.util.ArrayList<>();
        for (String id : ids) if (held.add(id)) mine.add(id);
        return () -> mine.forEach(held::remove);
    }

    boolean isLeased(String id) { return held.contains(id); }

    interface Lease extends AutoCloseable { @Override void close(); }
}
