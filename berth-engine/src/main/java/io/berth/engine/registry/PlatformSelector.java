package io.berth.engine.registry;

import io.berth.api.BerthException;
import io.berth.spec.image.Descriptor;
import io.berth.spec.image.Index;
import io.berth.spec.image.Platform;

import java.util.List;

/**
 * Chooses the manifest for a platform from an OCI index or Docker manifest list.
 * Order of preference, first entry wins within a rank:
 * <ol>
 *   <li>os, architecture and (normalised) variant all equal, e.g. linux/arm/v7 for linux/arm/v7, or
 *       plain linux/amd64 for linux/amd64 rather than linux/amd64/v3;</li>
 *   <li>a match by {@link Platform#matches} where one side names no variant;</li>
 *   <li>for 32-bit arm only, an older variant the CPU also runs (v7 runs v6 and v5), newest first,
 *       as containerd does.</li>
 * </ol>
 * Entries without a platform (attestations, some single-entry indexes) are never chosen.
 */
public final class PlatformSelector {
    private PlatformSelector() { }

    /** The chosen descriptor; NOT_FOUND "no matching manifest for linux/arm64 in the manifest list entries". */
    public static Descriptor select(Index index, Platform want) {
        Platform w = (want == null ? Platform.LINUX_AMD64 : want).normalize();
        List<Descriptor> entries = index.manifests() == null ? List.of() : index.manifests();
        Descriptor best = null;
        int bestRank = Integer.MAX_VALUE;
        for (Descriptor d : entries) {
            int r = rank(w, d.platform());
            if (r < bestRank) { best = d; bestRank = r; }
        }
        if (best == null) throw BerthException.notFound("no matching manifest for %s in the manifest list entries", w);
        return best;
    }

    /** Lower is better; MAX_VALUE means no match. */
    static int rank(Platform want, Platform candidate) {
        if (candidate == null || candidate.os() == null || candidate.architecture() == null) return Integer.MAX_VALUE;
        Platform have = candidate.normalize();
        if (want.matches(have)) {
            return java.util.Objects.equals(want.variant(), have.variant()) ? 0 : 1;
        }
        if (want.os().equals(have.os()) && want.architecture().equals("arm") && have.architecture().equals("arm")) {
            int wv = armVariant(want.variant()), hv = armVariant(have.variant());
            if (wv > 0 && hv > 0 && hv < wv) return 2 + (wv - hv); // closer older variant ranks better
        }
        return Integer.MAX_VALUE;
    }

    private static int armVariant(String v) {
        if (v == null || !v.matches("v[0-9]+")) return -1;
        return Integer.parseInt(v.substring(1));
    }
}
