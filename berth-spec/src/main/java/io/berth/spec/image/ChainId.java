package io.berth.spec.image;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Chain IDs identify a stack of layers (OCI image spec, config.md "Layer ChainID"):
 * chain(L0) = diffid(L0); chain(L0..Ln) = sha256(chain(L0..Ln-1) + " " + diffid(Ln)).
 * Snapshots are keyed by them, so two images sharing a layer stack share the snapshots.
 */
public final class ChainId {
    private ChainId() {}

    public static List<Digest> chain(List<Digest> diffIds) {
        List<Digest> out = new ArrayList<>(diffIds.size());
        Digest prev = null;
        for (Digest d : diffIds) {
            prev = prev == null ? d : Digest.sha256((prev + " " + d).getBytes(StandardCharsets.UTF_8));
            out.add(prev);
        }
        return out;
    }
}
