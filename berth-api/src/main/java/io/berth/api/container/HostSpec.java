package io.berth.api.container;

import java.util.List;
import java.util.Map;

/**
 * Docker's HostConfig, the parts Berth honours. Null or empty means the default.
 *
 * @param binds        "src:dst[:ro]" as in {@code -v}
 * @param mounts       as in {@code --mount}
 * @param tmpfs        destination → options ("size=64m")
 * @param networkMode  "none" (default until bridge networking lands), "host"; "bridge" is refused clearly
 * @param restartPolicy "no", "always", "unless-stopped", "on-failure"; with maxRetries for on-failure
 * @param runtime      OCI runtime name (runc by default)
 */
public record HostSpec(List<String> binds, List<MountSpec> mounts, Map<String, String> tmpfs, String networkMode,
                       boolean autoRemove, boolean privileged, List<String> capAdd, List<String> capDrop,
                       List<String> securityOpt, boolean readOnlyRootfs, Boolean init, List<Ulimit> ulimits,
                       Long shmSize, String restartPolicy, int restartMaxRetries, Resources resources,
                       String runtime, List<String> groupAdd, Map<String, String> sysctls, Integer oomScoreAdj,
                       String pidMode, String ipcMode, String utsMode, List<Integer> consoleSize) {

    public static final HostSpec DEFAULT = new HostSpec(List.of(), List.of(), Map.of(), null, false, false, List.of(), List.of(),
            List.of(), false, null, List.of(), null, "no", 0, Resources.NONE, null, List.of(), Map.of(), null, null, null, null, null);

    public HostSpec withAutoRemove(boolean rm) {
        return new HostSpec(binds, mounts, tmpfs, networkMode, rm, privileged, capAdd, capDrop, securityOpt, readOnlyRootfs, init,
                ulimits, shmSize, restartPolicy, restartMaxRetries, resources, runtime, groupAdd, sysctls, oomScoreAdj, pidMode, ipcMode, utsMode, consoleSize);
    }

    /**
     * {@code --mount type=bind|volume|tmpfs,source=…,target=…,readonly}.
     *
     * @param noCopy {@code volume-nocopy} (VolumeOptions.NoCopy): never copy the image's content into the volume
     */
    public record MountSpec(String type, String source, String target, boolean readOnly, String propagation, boolean noCopy) {
        /** Without volume options (every mount but {@code type=volume,volume-nocopy}). */
        public MountSpec(String type, String source, String target, boolean readOnly, String propagation) {
            this(type, source, target, readOnly, propagation, false);
        }
    }

    public record Ulimit(String name, long soft, long hard) {
    }

    /** Zero or null means unlimited / default. {@code memorySwap} -1 is unlimited swap, as Docker. */
    public record Resources(Long memory, Long memorySwap, Long memoryReservation, Long nanoCpus, Long cpuShares,
                            Long cpuQuota, Long cpuPeriod, String cpusetCpus, String cpusetMems, Long pidsLimit,
                            Integer blkioWeight) {
        public static final Resources NONE = new Resources(null, null, null, null, null, null, null, null, null, null, null);
    }
}
