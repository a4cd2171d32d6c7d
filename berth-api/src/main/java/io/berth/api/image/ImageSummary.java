package io.berth.api.image;

import io.berth.spec.image.Digest;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One row of {@code docker images}. Tags and digests are in familiar form ({@code busybox:latest}). */
public record ImageSummary(Digest id, List<String> repoTags, List<String> repoDigests, Instant created,
                           long size, Map<String, String> labels, int containers) {
}
