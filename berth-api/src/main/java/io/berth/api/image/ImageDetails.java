package io.berth.api.image;

import io.berth.spec.image.Digest;
import io.berth.spec.image.ImageConfig;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything {@code docker image inspect} shows.
 *
 * @param config       the image configuration as stored (its digest is the ID)
 * @param size         the uncompressed size of all layers, as Docker reports Size
 * @param graphDriver  name ("overlay") and data (LowerDir, UpperDir, …) of its root filesystem
 * @param lastTagTime  when a tag was last added, or null
 */
public record ImageDetails(Digest id, List<String> repoTags, List<String> repoDigests, Instant created,
                           ImageConfig config, long size, Digest manifestDigest,
                           String graphDriverName, Map<String, String> graphDriverData, Instant lastTagTime) {
}
