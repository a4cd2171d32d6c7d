package io.berth.engine.container;

import io.berth.api.container.SystemCheckReport;
import io.berth.api.container.SystemCheckReport.Check;
import io.berth.engine.runtime.RuntimeConfig;
import io.berth.engine.sys.ErrnoException;
import io.berth.engine.sys.Fd;
import io.berth.engine.sys.Syscalls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The host preflight of {@code berth system check} and daemon start: what containers need from
 * this machine, each as a ✓/✗ line. Orphan cleanup is the service's part (it knows the records);
 * this class only looks at the host.
 */
final class SystemCheck {
    private SystemCheck() { }

    static List<Check> preflight(RuntimeConfig rt, String snapshotDriver) {
        List<Check> out = new ArrayList<>();
        out.add(binary(rt.runtimeName(null), rt.runtimePath(null)));
        out.add(binary("conmon", rt.conmon()));
        String fs = read(Path.of("/proc/filesystems"));
        boolean overlay = fs.lines().anyMatch(l -> l.endsWith("\toverlay"));
        out.add(new Check("overlay", overlay, false, (overlay ? "supported" : "not in /proc/filesystems") + "; snapshotter in use: " + snapshotDriver));
        Path cg = Path.of("/sys/fs/cgroup");
        if (Files.exists(cg.resolve("cgroup.controllers"))) {
            out.add(new Check("cgroup", true, true, "v2, controllers: " + read(cg.resolve("cgroup.controllers")).strip()));
        } else {
            boolean v1 = Files.isDirectory(cg.resolve("memory"));
            // v1: the enabled hierarchies of /proc/cgroups ("name hierarchy num_cgroups enabled")
            List<String> enabled = read(Path.of("/proc/cgroups")).lines().filter(l -> !l.startsWith("#"))
                    .map(l -> l.split("\\s+")).filter(f -> f.length >= 4 && f[3].equals("1")).map(f -> f[0]).toList();
            out.add(new Check("cgroup", v1, true, v1 ? "v1, controllers: " + String.join(" ", enabled) : "no cgroup filesystem at /sys/fs/cgroup"));
        }
        out.add(nofile());
        out.add(new Check("kernel", true, false, read(Path.of("/proc/sys/kernel/osrelease")).strip()));
        out.add(openat2());
        return out;
    }

    /** A binary that must be there and answer {@code --version}; its first version line is the detail. */
    private static Check binary(String name, Path path) {
        if (!Files.isExecutable(path)) return new Check(name, false, true, "not found at " + path);
        try {
            Process p = new ProcessBuilder(path.toString(), "--version").redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] b = p.getInputStream().readNBytes(4096);
            if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly();
            String first = new String(b, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
            return new Check(name, p.exitValue() == 0, true, path + ": " + first);
        } catch (IOException | IllegalThreadStateException e) {
            return new Check(name, false, true, path + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Check(name, false, true, path + ": interrupted");
        }
    }

    /** Open-file limits: containers inherit at most the hard limit (Berth clamps), a low soft limit starves the daemon. */
    private static Check nofile() {
        for (String l : read(Path.of("/proc/self/limits")).lines().toList()) {
            if (!l.startsWith("Max open files")) continue;
            String[] f = l.substring("Max open files".length()).trim().split("\\s+");
            boolean ok = f[0].equals("unlimited") || Long.parseLong(f[0]) >= 1024;
            return new Check("nofile", ok, false, "soft " + f[0] + ", hard " + f[1]);
        }
        return new Check("nofile", false, false, "unknown (no /proc/self/limits)");
    }

    /** openat2 confines path resolution (cp, volumes) to a root; without it Berth falls back to slower checks. */
    private static Check openat2() {
        try (Fd fd = Syscalls.openat2(Syscalls.AT_FDCWD, "/", Syscalls.O_RDONLY | Syscalls.O_DIRECTORY | Syscalls.O_CLOEXEC, 0,
                Syscalls.RESOLVE_NO_SYMLINKS)) {
            return new Check("openat2", true, false, "available");
        } catch (ErrnoException e) {
            return new Check("openat2", false, false, "unavailable: " + e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            return new Check("openat2", false, false, "unavailable: " + e);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    /** The daemon-start log line: "preflight: ✓ runc (…) ✓ conmon (…) …". */
    static String summary(SystemCheckReport r) {
        StringBuilder b = new StringBuilder("preflight:");
        for (Check c : r.checks()) b.append(c.ok() ? " ✓ " : " ✗ ").append(c.name()).append(" (").append(c.detail()).append(')');
        if (!r.cleaned().isEmpty()) b.append("; cleaned: ").append(String.join("; ", r.cleaned()));
        return b.toString();
    }
}
