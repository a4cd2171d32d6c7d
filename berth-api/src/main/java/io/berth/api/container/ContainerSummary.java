package io.berth.api.container;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One row of {@code docker ps}. {@code status} is Docker's human text ("Up 3 seconds", "Exited (0) 2 minutes ago"). */
public record ContainerSummary(String id, List<String> names, String image, String imageId, String command,
                               Instant created, ContainerState.Status state, String status, Map<String, String> labels,
                               NetworkSettings networkSettings, List<MountPoint> mounts) {
    public ContainerSummary {
        if (networkSettings == null) networkSettings = NetworkSettings.EMPTY;
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
    }

    public ContainerSummary(String id, List<String> names, String image, String imageId, String command,
                            Instant created, ContainerState.Status state, String status, Map<String, String> labels) {
        this(id, names, image, imageId, command, created, state, status, labels, NetworkSettings.EMPTY, List.of());
    }
}
