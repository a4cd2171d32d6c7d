package io.berth.engine.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Facts read from the host's /proc, /etc and /sys; each falls back to "" rather than failing. */
final class HostFacts {
    private HostFacts() {}

    static String read(String path) {
        try { return Files.readString(Path.of(path)).trim(); } catch (IOException e) { return ""; }
    }

    static String kernelVersion() { return read("/proc/sys/kernel/osrelease"); }

    static String hostname() { return read("/proc/sys/kernel/hostname"); }

    static String osRelease(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith(key + "=")) return line.substring(key.length() + 1).replace("\"", "");
            }
        } catch (IOException ignored) { /* not Linux-like: leave empty */ }
        return "";
    }

    static long memTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (IOException | NumberFormatException ignored) { /* unknown */ }
        return 0;
    }

    /** "2" when the unified hierarchy is mounted at /sys/fs/cgroup, else "1" (v1 or hybrid, as on this host). */
    static String cgroupVersion() {
        return Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers")) ? "2" : "1";
    }

    static String arch() {
        String a = System.getProperty("os.arch");
        return switch (a) { case "amd64", "x86_64" -> "x86_64"; case "aarch64" -> "aarch64"; default -> a; };
    }

    static String goArch() {
        String a = System.getProperty("os.arch");
        return switch (a) { case "amd64", "x86_64" -> "amd64"; case "aarch64" -> "arm64"; default -> a; };
    }

    static List<String> lines(String path) {
        try { return Files.readAllLines(Path.of(path)); } catch (IOException e) { return List.of(); }
    }
}
