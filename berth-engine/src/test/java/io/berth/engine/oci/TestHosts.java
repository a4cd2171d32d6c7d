package io.berth.engine.oci;

import io.berth.spec.image.ImageConfig;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A fixed host like this machine: cgroup v1, swap accounting, no blkio weight, no CAP_SYS_RESOURCE, nofile hard 20000. */
final class TestHosts {
    private TestHosts() {}

    static HostInfo likeThisMachine() {
        Set<String> caps = new LinkedHashSet<>(Caps.ALL);
        caps.remove("CAP_SYS_RESOURCE");
        return new HostInfo(false, true, false, 2, caps, Map.of("RLIMIT_NOFILE", 20000L, "RLIMIT_NPROC", 4096L), "testhost");
    }

    static ImageConfig image(List<String> entrypoint, List<String> cmd, List<String> env, String workdir, String user) {
        return new ImageConfig(null, null, "amd64", "linux", null,
                new ImageConfig.Config(user, null, env, entrypoint, cmd, null, workdir, null, null), null, null);
    }

    static final String ID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
}
