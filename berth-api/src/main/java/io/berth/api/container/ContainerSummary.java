package io.berth.api.container;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One row of {@code docker ps}. {@code status} is Docker's human text ("Up 3 seconds", "Exited (0) 2 minutes ago"). */
public record ContainerSummary(String id, List<String> names, String image, String imageId, String command,
                               Instant created, ContainerState.Status state, String status, Map<String, String> labels) {
}
