package io.berth.api.image;

import io.berth.spec.image.Digest;

/**
 * @param reference    the normalised reference pulled
 * @param imageId      the image ID (config digest)
 * @param manifestDigest the digest of the manifest (or index) the reference resolved to
 * @param newer        true when something was downloaded, false when the image was up to date
 */
public record PullReport(String reference, Digest imageId, Digest manifestDigest, boolean newer) {
}
