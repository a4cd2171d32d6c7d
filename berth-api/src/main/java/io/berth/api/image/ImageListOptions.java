package io.berth.api.image;

import java.util.List;

/**
 * Filters as {@code docker images} has them. Each list is OR within, AND across.
 *
 * @param all         include intermediate images (Berth has none; accepted for compatibility)
 * @param references  {@code reference=} patterns, Docker's path-match syntax ({@code busy*}, {@code a/*:1})
 * @param dangling    null for no filter, true for only untagged, false for only tagged
 * @param labels      {@code label=key} or {@code label=key=value}
 */
public record ImageListOptions(boolean all, List<String> references, Boolean dangling, List<String> labels) {
    public static final ImageListOptions ALL = new ImageListOptions(false, List.of(), null, List.of());
}
