package io.berth.engine.snapshot;

import io.berth.engine.sys.ErrnoException;
import io.berth.engine.sys.MountCalls;
import io.berth.spec.runtime.Mount;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The snapshot mounts a container start and exit need, done with mount(2)/umount2(2) instead of
 * spawning mount(8)/umount(8) (a process start each, 10-30 ms on a loaded host). Only the shapes the
 * snapshotters produce are handled here: overlay with {@code key=value} options (plus ro/rw and
 * volatile) and
 * bind/rbind with ro/rw. Anything else, and mounts carrying {@link Mounter#CHDIR_OPTION} (their
 * relative lowerdirs need the mounting process's working directory, which a multi-threaded JVM
 * cannot change), go to mount(8) as before.
 */
final class DirectMounts {
    private DirectMounts() {}

    static boolean supports(Mount m) {
        List<String> opts = m.options() == null ? List.of() : m.options();
        if ("overlay".equals(m.type())) {
            for (String o : opts) {
                if (o.startsWith(Mounter.CHDIR_OPTION) || o.indexOf(',') >= 0) return false;
                if (!o.equals("ro") && !o.equals("rw") && !o.equals("volatile") && o.indexOf('=') < 0) return false;
            }
            return true;
        }
        if ("bind".equals(m.type())) {
            for (String o : opts) if (!List.of("bind", "rbind", "ro", "rw").contains(o)) return false;
            return true;
        }
        return false;
    }

    /** Mounts one supported mount on {@code target}; throws IOException naming both. */
    static void mount(Mount m, Path target) throws IOException {
        List<String> opts = m.options() == null ? List.of() : m.options();
        boolean ro = opts.contains("ro");
        String t = target.toString();
        try {
            if ("overlay".equals(m.type())) {
                List<String> data = new ArrayList<>();
                for (String o : opts) if (o.indexOf('=') >= 0 || o.equals("volatile")) data.add(o);
                MountCalls.mount(m.source(), t, "overlay", ro ? MountCalls.MS_RDONLY : 0, String.join(",", data));
                return;
            }
            long flags = MountCalls.MS_BIND | (opts.contains("bind") && !opts.contains("rbind") ? 0 : MountCalls.MS_REC);
            MountCalls.mount(m.source(), t, null, flags, null);
            if (ro) {
                // A bind mount ignores MS_RDONLY on creation; read-only takes a remount of the bind.
                try {
                    MountCalls.mount(null, t, null, MountCalls.MS_REMOUNT | MountCalls.MS_BIND | MountCalls.MS_RDONLY, null);
                } catch (ErrnoException e) {
                    try {
                        MountCalls.umount2(t, 0);
                    } catch (ErrnoException ue) {
                        e.addSuppressed(ue);
                    }
                    throw e;
                }
            }
        } catch (ErrnoException e) {
            throw new IOException("mounting " + m.type() + " " + m.source() + " on " + t + ": " + e.getMessage(), e);
        }
    }

    /** Unmounts the top mount on {@code target}. */
    static void unmount(Path target) throws IOException {
        try {
            MountCalls.umount2(target.toString(), 0);
        } catch (ErrnoException e) {
            throw new IOException("unmounting " + target + ": " + e.getMessage(), e);
        }
    }
}
