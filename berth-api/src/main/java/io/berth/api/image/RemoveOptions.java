package io.berth.api.image;

/** {@code force}: remove even if tagged in several repositories; {@code noPrune}: keep untagged parents. */
public record RemoveOptions(boolean force, boolean noPrune) {
    public static final RemoveOptions DEFAULT = new RemoveOptions(false, false);
}
