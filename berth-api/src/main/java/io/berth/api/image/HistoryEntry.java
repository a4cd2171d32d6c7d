package io.berth.api.image;

import java.time.Instant;
import java.util.List;

/** One row of {@code docker history}, newest first. {@code id} is the image ID on the top row, else "<missing>". */
public record HistoryEntry(String id, Instant created, String createdBy, List<String> tags, long size, String comment) {
}
