package io.berth.engine.network;

import io.berth.api.BerthException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/** IPv4 address arithmetic for Berth's IPAM: subnets, ranges, free addresses and free subnets. Pure except {@link #hostRoutes}. */
final class Ipam {
    private Ipam() {}

    /** An IPv4 prefix; {@code base} is the network address. */
    record Cidr(long base, int bits) {
        static Cidr parse(String s) {
            String[] p = s.strip().split("/");
            if (p.length != 2) throw BerthException.invalid("invalid subnet %s: want ADDRESS/BITS", s);
            int bits;
            try {
                bits = Integer.parseInt(p[1]);
            } catch (NumberFormatException e) {
                throw BerthException.invalid("invalid subnet %s: bad prefix length", s);
            }
            if (bits < 8 || bits > 30) throw BerthException.invalid("invalid subnet %s: prefix length must be 8..30", s);
            long a = addr(p[0]);
            return new Cidr(a & mask(bits), bits);
        }

        long size() { return 1L << (32 - bits); }

        long last() { return base + size() - 1; }

        boolean contains(long a) { return a >= base && a <= last(); }

        boolean overlaps(Cidr o) { return base <= o.last() && o.base <= last(); }

        @Override public String toString() { return str(base) + "/" + bits; }
    }

    static long mask(int bits) { return bits == 0 ? 0 : (0xffffffffL << (32 - bits)) & 0xffffffffL; }

    static long addr(String s) {
        String[] p = s.strip().split("\\.");
        if (p.length != 4) throw BerthException.invalid("invalid IPv4 address %s", s);
        long a = 0;
        for (String x : p) {
            int v;
            try {
                v = Integer.parseInt(x);
            } catch (NumberFormatException e) {
                throw BerthException.invalid("invalid IPv4 address %s", s);
            }
            if (v < 0 || v > 255) throw BerthException.invalid("invalid IPv4 address %s", s);
            a = a << 8 | v;
        }
        return a;
    }

    static String str(long a) { return (a >> 24 & 255) + "." + (a >> 16 & 255) + "." + (a >> 8 & 255) + "." + (a & 255); }

    /** The lowest address of {@code range} (inside {@code subnet}) not in {@code used}, skipping network and broadcast. */
    static String firstFree(Cidr subnet, Cidr range, Set<String> used) {
        Cidr r = range == null ? subnet : range;
        for (long a = Math.max(r.base, subnet.base + 1); a <= Math.min(r.last(), subnet.last() - 1); a++) {
            if (!used.contains(str(a))) return str(a);
        }
        return null;
    }

    /** The first {@code bits}-sized block of {@code pool} overlapping none of {@code taken}. */
    static Cidr freeSubnet(Cidr pool, int bits, Collection<Cidr> taken) {
        long step = 1L << (32 - bits);
        for (long b = pool.base; b + step - 1 <= pool.last(); b += step) {
            Cidr c = new Cidr(b, bits);
            if (taken.stream().noneMatch(c::overlaps)) return c;
        }
        return null;
    }

    /** The host's IPv4 routes (from /proc/net/route), except default routes: subnets that must not be reused. */
    static List<Cidr> hostRoutes(Predicate<String> ignoreDevice) {
        List<Cidr> out = new ArrayList<>();
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/route"));
            for (String l : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = l.trim().split("\\s+");
                if (f.length < 8 || ignoreDevice.test(f[0])) continue;
                long dst = Long.reverseBytes(Long.parseLong(f[1], 16) << 32) & 0xffffffffL;
                long m = Long.reverseBytes(Long.parseLong(f[7], 16) << 32) & 0xffffffffL;
                int bits = Long.bitCount(m);
                if (bits == 0) continue;
                out.add(new Cidr(dst & mask(bits), bits));
            }
        } catch (IOException | RuntimeException e) {
            // no route table readable: allocate from the pool alone
        }
        return out;
    }
}
