package io.berth.engine.container;

import io.berth.spec.runtime.Mount;

import java.util.ArrayList;
import java.util.List;

/**
 * The overlay {@code volatile} option (Linux 5.10+) for the root filesystem of a {@code --rm}
 * container: overlay then never syncs its upper directory, neither on syncfs nor at unmount. Without
 * it the unmount at every exit flushes the whole upper filesystem (the engine root's, shared with
 * everything else writing there), 10-40 ms on a busy host, for files that are deleted a moment later.
 *
 * <p>A volatile upper directory must not be mounted again after a crash (the kernel refuses it until
 * its work directory is reset), which is fine for exactly these containers: they are removed at
 * their exit, or on the daemon's restart when the exit happened while it was down, and never mounted
 * twice. podman does the same for {@code --rm} containers.
 */
final class VolatileRootfs {
    private VolatileRootfs() {}

    static final String OPTION = "volatile";

    /** {@code mounts} with {@code volatile} added to the writable overlay, or null when there is none (a bind rootfs). */
    static List<Mount> of(List<Mount> mounts) {
        List<Mount> out = new ArrayList<>(mounts.size());
        boolean any = false;
        for (Mount m : mounts) {
            List<String> o = m.options() == null ? List.of() : m.options();
            if ("overlay".equals(m.type()) && o.stream().anyMatch(x -> x.startsWith("upperdir=")) && !o.contains(OPTION)) {
                List<String> withVolatile = new ArrayList<>(o);
                withVolatile.add(OPTION);
                out.add(new Mount(m.destination(), m.type(), m.source(), List.copyOf(withVolatile)));
                any = true;
            } else {
                out.add(m);
            }
        }
        return any ? List.copyOf(out) : null;
    }
}
