package io.berth.api.container;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything {@code docker inspect CONTAINER} shows that Berth knows.
 *
 * @param imageId  the image ID (sha256:…) the container was created from
 * @param image    the reference as given at create
 * @param path     the process's executable (args[0]); {@code args} the rest
 * @param spec     the create request as stored (for Config and HostConfig)
 * @param logPath  the conmon k8s-file log
 * @param networkSettings addresses, ports and endpoints ({@link NetworkSettings#EMPTY} without a network)
 * @param mounts   binds, volumes and tmpfs mounts as inspect's Mounts
 */
public record ContainerDetails(String id, String name, Instant created, String imageId, String image,
                               String path, List<String> args, ContainerState state, ContainerSpec spec,
                               List<String> env, String workingDir, String user, String rootfs, String logPath,
                               Map<String, String> labels, List<String> execIds, String driver,
                               NetworkSettings networkSettings, List<MountPoint> mounts) {
    public ContainerDetails {
        if (networkSettings == null) networkSettings = NetworkSettings.EMPTY;
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
    }

    public ContainerDetails(String id, String name, Instant created, String imageId, String image,
                            String path, List<String> args, ContainerState state, ContainerSpec spec,
                            List<String> env, String workingDir, String user, String rootfs, String logPath,
                            Map<String, String> labels, List<String> execIds, String driver) {
        this(id, name, created, imageId, image, path, args, state, spec, env, workingDir, user, rootfs, logPath, labels, execIds, driver,
                NetworkSettings.EMPTY, List.of());
    }
}
