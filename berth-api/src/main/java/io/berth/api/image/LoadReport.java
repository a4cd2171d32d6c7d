package io.berth.api.image;

import java.util.List;

/** What a load added: familiar tags ("busybox:latest") and IDs of untagged images loaded. */
public record LoadReport(List<String> loadedTags, List<String> loadedIds) {
}
