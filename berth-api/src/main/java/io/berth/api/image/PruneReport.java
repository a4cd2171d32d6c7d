package io.berth.api.image;

import java.util.List;

public record PruneReport(List<RemoveItem> deleted, long spaceReclaimed) {
}
