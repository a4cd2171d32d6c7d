package io.berth.engine.container;

import io.berth.api.BerthException;
import io.berth.api.container.Event;
import io.berth.api.container.EventOptions;
import io.berth.api.container.EventStream;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The engine's event bus: publishers append events, subscribers get them in order. A bounded
 * in-memory history (the last {@value #HISTORY} events, as dockerd keeps its last 1000 or so)
 * serves {@code since}; events older than that are simply gone, like Docker's.
 *
 * <p>Publishing never blocks: each subscriber has an unbounded queue, and a subscriber that does
 * not read is the only one that grows (it is closed with its HTTP connection).
 */
public final class EventBus {
    static final int HISTORY = 1024;

    private final ArrayDeque<Event> history = new ArrayDeque<>();
    private final Set<Sub> subs = ConcurrentHashMap.newKeySet();
    private long lastNano;

    /**
     * Publishes an event now. Times are strictly increasing, so that "since the time of event X"
     * replays a well-defined suffix.
     */
    public void publish(String type, String action, String actorId, Map<String, String> attributes, String from) {
        synchronized (history) {
            long now = Instant.now().getEpochSecond() * 1_000_000_000L + Instant.now().getNano();
            lastNano = Math.max(now, lastNano + 1);
            Event e = new Event(type, action, actorId, attributes, from, lastNano);
            if (history.size() == HISTORY) history.removeFirst();
            history.addLast(e);
            for (Sub s : subs) if (s.matches(e)) s.queue.add(e);
        }
    }

    /** Past events from {@code since}, then live ones until {@code until}, filtered; names resolve container refs. */
    public EventStream subscribe(EventOptions o, Function<String, String> idOf) {
        Map<String, List<String>> f = o.filters();
        for (String k : f.keySet())
            if (!Set.of("type", "event", "container", "image", "label").contains(k)) throw BerthException.invalid("invalid filter '%s'", k);
        long since = o.since() == null ? Long.MIN_VALUE : nanos(o.since());
        long until = o.until() == null ? Long.MAX_VALUE : nanos(o.until());
        if (o.since() != null && o.until() != null && until < since)
            throw BerthException.invalid("since time (%s) cannot be after until time (%s)", o.since(), o.until());
        Sub s = new Sub(f, until, idOf);
        synchronized (history) {
            if (o.since() != null) for (Event e : history) if (e.timeNano() >= since && e.timeNano() <= until && s.matches(e)) s.queue.add(e);
            if (until > lastNano) subs.add(s);
            else s.queue.add(END);
        }
        return s;
    }

    private static long nanos(Instant t) { return t.getEpochSecond() * 1_000_000_000L + t.getNano(); }

    private static final Event END = new Event("", "", "", Map.of(), null, 0);

    private final class Sub implements EventStream {
        final LinkedBlockingQueue<Event> queue = new LinkedBlockingQueue<>();
        final Map<String, List<String>> filters;
        final long until;
        final Function<String, String> idOf;
        volatile boolean closed;

        Sub(Map<String, List<String>> filters, long until, Function<String, String> idOf) {
            this.filters = filters;
            this.until = until;
            this.idOf = idOf;
        }

        @Override
        public Event next() throws InterruptedException {
            for (;;) {
                if (closed) return null;
                long wait = until == Long.MAX_VALUE ? 1_000_000_000L : until - nanos(Instant.now());
                Event e = queue.poll(Math.max(0, Math.min(wait, 1_000_000_000L)), TimeUnit.NANOSECONDS);
                if (e == END) { close(); return null; }
                if (e != null) {
                    if (e.timeNano() > until) { close(); return null; }
                    return e;
                }
                if (until != Long.MAX_VALUE && nanos(Instant.now()) > until) { close(); return null; }
            }
        }

        @Override
        public void close() {
            closed = true;
            subs.remove(this);
        }

        boolean matches(Event e) {
            for (Map.Entry<String, List<String>> f : filters.entrySet()) {
                if (f.getValue().isEmpty()) continue;
                boolean any = false;
                for (String v : f.getValue()) any |= matches(e, f.getKey(), v);
                if (!any) return false;
            }
            return true;
        }

        private boolean matches(Event e, String key, String v) {
            return switch (key) {
                case "type" -> e.type().equals(v);
                // "exec_start: sh -c x" matches the filter "exec_start", as in Docker
                case "event" -> e.action().equals(v) || e.action().startsWith(v + ":");
                case "container" -> e.type().equals("container") && (e.actorId().startsWith(v) || v.equals(e.attributes().get("name"))
                        || v.equals("/" + e.attributes().get("name")) || e.actorId().equals(idOf.apply(v)));
                case "image" -> v.equals(e.from()) || v.equals(e.attributes().get("image")) || e.type().equals("image") && (e.actorId().equals(v)
                        || e.actorId().startsWith("sha256:" + v) || v.equals(e.attributes().get("name")));
                case "label" -> {
                    int eq = v.indexOf('=');
                    yield eq < 0 ? e.attributes().containsKey(v) : v.substring(eq + 1).equals(e.attributes().get(v.substring(0, eq)));
                }
                default -> false;
            };
        }
    }
}
