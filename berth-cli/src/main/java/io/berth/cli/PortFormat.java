package io.berth.cli;

import io.berth.api.container.PortBinding;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the docker CLI (28.x) prints ports: the {@code ps} PORTS column (consecutive unpublished or
 * same-port-published ports folded into ranges, then the host mappings) and {@code port}'s lines
 * ({@code 80/tcp -> 0.0.0.0:32768}, sorted in natural order). Pure.
 */
final class PortFormat {
    private PortFormat() { }

    /** One row of ps's Ports: the host side is absent ("" and 0) for an exposed-only port. */
    record Row(String ip, int privatePort, int publicPort, String type) { }

    /** The bindings map ("80/tcp" → host sides, empty for exposed-only) as ps's rows. */
    static List<Row> rows(Map<String, List<PortBinding>> ports) {
        List<Row> out = new ArrayList<>();
        if (ports == null) return out;
        ports.forEach((key, list) -> {
            int slash = key.indexOf('/');
            int priv = num(slash < 0 ? key : key.substring(0, slash));
            String type = slash < 0 ? "tcp" : key.substring(slash + 1);
            if (list == null || list.isEmpty()) out.add(new Row("", priv, 0, type));
            else for (PortBinding b : list) out.add(new Row(b.hostIp() == null ? "" : b.hostIp(), priv, num(b.hostPort()), type));
        });
        return out;
    }

    /** ps's PORTS cell: "90/tcp, 0.0.0.0:18080->80/tcp, [::]:18080->80/tcp". */
    static String displayable(Map<String, List<PortBinding>> ports) {
        List<Row> rows = new ArrayList<>(rows(ports));
        rows.sort(Comparator.comparingInt(Row::privatePort).thenComparing(Row::ip).thenComparingInt(Row::publicPort).thenComparing(Row::type));
        Map<String, int[]> groups = new LinkedHashMap<>(); // key "[ip/]type" → {first, last}
        List<String> result = new ArrayList<>(), mappings = new ArrayList<>();
        for (Row r : rows) {
            String key = r.type();
            if (!r.ip().isEmpty()) {
                if (r.publicPort() != r.privatePort()) {
                    mappings.add(hostPort(r.ip(), Integer.toString(r.publicPort())) + "->" + r.privatePort() + "/" + r.type());
                    continue;
                }
                key = r.ip() + "/" + r.type();
            }
            int[] g = groups.get(key);
            if (g == null) groups.put(key, new int[]{r.privatePort(), r.privatePort()});
            else if (r.privatePort() == g[1] + 1) g[1] = r.privatePort();
            else {
                result.add(group(key, g));
                groups.put(key, new int[]{r.privatePort(), r.privatePort()}); // keeps the key's first position, as docker's key list

            }
        }
        groups.forEach((k, g) -> result.add(group(k, g)));
        result.addAll(mappings);
        return String.join(", ", result);
    }

    private static String group(String key, int[] g) {
        int slash = key.lastIndexOf('/');
        String ip = slash < 0 ? "" : key.substring(0, slash), type = slash < 0 ? key : key.substring(slash + 1);
        String range = g[0] == g[1] ? Integer.toString(g[0]) : g[0] + "-" + g[1];
        if (!ip.isEmpty()) range = hostPort(ip, range) + "->" + range;
        return range + "/" + type;
    }

    /**
     * {@code berth port CTR [PORT[/PROTO]]}: every binding as "80/tcp -> 0.0.0.0:32768", or, for
     * one port, its host addresses; sorted naturally. Null when the one port has no binding.
     */
    static List<String> portLines(Map<String, List<PortBinding>> ports, String only) {
        List<String> out = new ArrayList<>();
        if (only != null) {
            List<PortBinding> l = ports == null ? null : ports.get(only);
            if (l == null || l.isEmpty()) return null;
            for (PortBinding b : l) out.add(hostPort(b.hostIp(), b.hostPort()));
        } else if (ports != null) {
            ports.forEach((k, l) -> { for (PortBinding b : l) out.add(k + " -> " + hostPort(b.hostIp(), b.hostPort())); });
        }
        out.sort(PortFormat::naturalCompare);
        return out;
    }

    /** Go's net.JoinHostPort: an address with a colon is bracketed. */
    static String hostPort(String host, String port) {
        String h = host == null ? "" : host;
        return (h.contains(":") ? "[" + h + "]" : h) + ":" + (port == null ? "" : port);
    }

    /**
     * Natural order: runs of digits compare as numbers (leading zeros ignored, fewer zeros first
     * on a tie), digits sort before other characters, other bytes compare as they are.
     */
    static int naturalCompare(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            char x = a.charAt(i), y = b.charAt(j);
            boolean dx = Character.isDigit(x), dy = Character.isDigit(y);
            if (dx != dy) return dx ? -1 : 1;
            if (!dx) {
                if (x != y) return Character.compare(x, y);
                i++;
                j++;
                continue;
            }
            int zi = i, zj = j;
            while (zi < a.length() && a.charAt(zi) == '0') zi++;
            while (zj < b.length() && b.charAt(zj) == '0') zj++;
            int ei = zi, ej = zj;
            while (ei < a.length() && Character.isDigit(a.charAt(ei))) ei++;
            while (ej < b.length() && Character.isDigit(b.charAt(ej))) ej++;
            if (ei - zi != ej - zj) return Integer.compare(ei - zi, ej - zj);
            int c = a.substring(zi, ei).compareTo(b.substring(zj, ej));
            if (c != 0) return c;
            if (zi != zj) return Integer.compare(zi, zj);
            i = ei;
            j = ej;
        }
        return Integer.compare(a.length(), b.length());
    }

    private static int num(String s) {
        try { return s == null || s.isEmpty() ? 0 : Integer.parseInt(s); }
        catch (NumberFormatException e) { return 0; }
    }
}
