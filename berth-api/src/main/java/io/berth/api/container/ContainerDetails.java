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
 */
public record ContainerDetails(String id, String name, Instant created, String imageId, String image,
                               String path, List<String> args, ContainerState state, ContainerSpec spec,
                               List<String> env, String workingDir, String user, String rootfs, String logPath,
                               Map<String, String> labels, List<String> execIds, String driver) {
}
