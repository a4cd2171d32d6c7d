package io.berth.api.image;

import java.util.List;

/**
 * @param all    remove all unused images, not just dangling ones ({@code docker image prune -a})
 * @param labels {@code label=} filters (images must match); {@code until} is not yet supported
 */
public record PruneOptions(boolean all, List<String> labels) {
    public static final PruneOptions DANGLING = new PruneOptions(false, List.of());
}
