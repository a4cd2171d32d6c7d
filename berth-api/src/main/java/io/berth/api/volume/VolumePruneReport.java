package io.berth.api.volume;

import java.util.List;

public record VolumePruneReport(List<String> volumesDeleted, long spaceReclaimed) {
}
