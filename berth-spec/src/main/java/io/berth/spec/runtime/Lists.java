package io.berth.spec.runtime;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Defensive copies that keep null (absent) distinct from empty and keep map order. */
final class Lists {
    private Lists() {}

    static <T> List<T> copy(List<T> l) { return l == null ? null : List.copyOf(l); }

    static <K, V> Map<K, V> copy(Map<K, V> m) {
        return m == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }
}
