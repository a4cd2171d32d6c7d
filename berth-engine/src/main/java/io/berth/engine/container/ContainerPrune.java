package io.berth.engine.container;

import io.berth.api.BerthException;
import io.berth.api.container.ContainerEngine;
import io.berth.api.container.ContainerListOptions;
import io.berth.api.container.ContainerState.Status;
import io.berth.api.container.ContainerSummary;
import io.berth.api.container.PruneReport;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * {@code container prune}: removes every container that is not running (created, exited, dead)
 * and matches Docker's prune filters {@code until} (created before: unix seconds, RFC 3339 or a
 * duration such as "10m") and {@code label} / {@code label!} (key or key=value).
 */
final class ContainerPrune {
    private ContainerPrune() { }

    static PruneReport prune(ContainerEngine engine, Map<String, List<String>> filters, ToLongFunction<String> size) {
        for (String k : filters.keySet())
            if (!Set.of("until", "label", "label!").contains(k)) throw BerthException.invalid("invalid filter '%s'", k);
        Instant until = null;
        for (String u : filters.getOrDefault("until", List.of())) until = time(u);
        List<String> deleted = new ArrayList<>();
        long bytes = 0;
        for (ContainerSummary s : engine.list(new ContainerListOptions(true, -1, Map.of()))) {
            if (s.state() != Status.CREATED && s.state() != Status.EXITED && s.state() != Status.DEAD) continue;
            if (until != null && !s.created().isBefore(until)) continue;
            if (!labels(s.labels(), filters.getOrDefault("label", List.of()), true)) continue;
            if (!labels(s.labels(), filters.getOrDefault("label!", List.of()), false)) continue;
            long n = size.applyAsLong(s.id());
            try {
                engine.remove(s.id(), false, false);
            } catch (BerthException e) {
                continue; // started or removed meanwhile: not pruned, as Docker skips it
            }
            deleted.add(s.id());
            bytes += n;
        }
        return new PruneReport(deleted, bytes);
    }

    /** With {@code want}: every filter must match; without: none may. */
    private static boolean labels(Map<String, String> labels, List<String> filters, boolean want) {
        for (String f : filters) {
            int eq = f.indexOf('=');
            boolean m = eq < 0 ? labels.containsKey(f) : f.substring(eq + 1).equals(labels.get(f.substring(0, eq)));
            if (m != want) return false;
        }
        return true;
    }

    static Instant time(String v) {
        try {
            if (v.matches("[0-9]+(\\.[0-9]+)?")) {
                String[] p = v.split("\\.");
                long nanos = p.length > 1 ? Long.parseLong((p[1] + "000000000").substring(0, 9)) : 0;
                return Instant.ofEpochSecond(Long.parseLong(p[0]), nanos);
            }
            if (v.matches("[0-9]+[smh]")) {
                return Instant.now().minus(Duration.parse("PT" + v.toUpperCase()));
            }
            return OffsetDateTime.parse(v).toInstant();
        } catch (RuntimeException e) {
            throw BerthException.invalid("invalid filter 'until=%s': want unix seconds, RFC 3339 or a duration", v);
        }
    }
}
