package io.berth.engine.store;

import io.berth.spec.image.Digest;

import java.time.Instant;

/**
 * A name pointing at an image. {@code reference} is normalised: either {@code name:tag} or
 * {@code name@digest} (a repo digest, as Docker's RepoDigests).
 */
public record TagRecord(String reference, Digest imageId, Instant taggedAt) {
}
