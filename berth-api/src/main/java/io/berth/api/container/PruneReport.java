package io.berth.api.container;

import java.util.List;

/** {@link ContainerEngine#prune}: the IDs of the removed containers and the bytes their writable layers held. */
public record PruneReport(List<String> deleted, long spaceReclaimed) {
    public PruneReport {
        deleted = List.copyOf(deleted);
    }
}
