package io.berth.api.image;

import io.berth.spec.image.Platform;

/**
 * @param reference what to pull, e.g. {@code busybox:1.36} or {@code host/a@sha256:…}
 * @param platform  which platform to select from an index; null means linux/amd64 (the host)
 * @param auth      credentials for this pull (from X-Registry-Auth), or null to use the stored ones
 */
public record PullOptions(String reference, Platform platform, RegistryAuth auth) {
    public static PullOptions of(String reference) { return new PullOptions(reference, null, null); }
    public PullOptions withPlatform(Platform p) { return new PullOptions(reference, p, auth); }
    public PullOptions withAuth(RegistryAuth a) { return new PullOptions(reference, platform, a); }
}
