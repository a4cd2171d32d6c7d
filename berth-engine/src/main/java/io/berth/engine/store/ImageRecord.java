package io.berth.engine.store;

import io.berth.spec.image.Digest;

import java.time.Instant;

/**
 * An image as the engine stores it. The config and manifest themselves are blobs in the content store.
 *
 * @param id              the image ID: digest of the config blob
 * @param manifestDigest  digest of the platform manifest
 * @param manifestMediaType its media type
 * @param size            sum of the uncompressed layer sizes
 * @param created         when the config says the image was created (or null)
 * @param addedAt         when this engine first stored it
 */
public record ImageRecord(Digest id, Digest manifestDigest, String manifestMediaType, long size,
                          Instant created, Instant addedAt) {
}
