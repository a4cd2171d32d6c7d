package io.berth.cli;

import io.berth.api.container.ContainerSpec;
import io.berth.api.container.HostSpec;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code run}/{@code create} flags → {@link ContainerSpec}, with docker's parsing rules for units
 * ({@code -m 64m}), CPUs ({@code --cpus 0.5} → NanoCpus), env files, volumes, mounts, ulimits and
 * restart policies. Pure: the tests call {@link #spec} directly.
 */
final class RunFlags {
    private RunFlags() { }

    static Flags flags(String usage, String description, boolean run) {
        Flags f = new Flags(usage, description);
        if (run) {
            f.bool("detach", 'd', "Run container in background and print container ID")
             .bool("sig-proxy", '\0', "Proxy received signals to the process (default true)");
        }
        return f.value("name", '\0', "string", "Assign a name to the container")
                .bool("rm", '\0', "Automatically remove the container and its associated anonymous volumes when it exits")
                .bool("interactive", 'i', "Keep STDIN open even if not attached")
                .bool("tty", 't', "Allocate a pseudo-TTY")
                .value("env", 'e', "list", "Set environment variables")
                .value("env-file", '\0', "list", "Read in a file of environment variables")
                .value("workdir", 'w', "string", "Working directory inside the container")
                .value("user", 'u', "string", "Username or UID (format: <name|uid>[:<group|gid>])")
                .value("entrypoint", '\0', "string", "Overwrite the default ENTRYPOINT of the image")
                .value("label", 'l', "list", "Set meta data on a container")
                .value("hostname", 'h', "string", "Container host name")
                .value("network", '\0', "network", "Connect a container to a network (none, host)")
                .value("net", '\0', "network", "Alias of --network")
                .bool("privileged", '\0', "Give extended privileges to this container")
                .value("cap-add", '\0', "list", "Add Linux capabilities")
                .value("cap-drop", '\0', "list", "Drop Linux capabilities")
                .value("security-opt", '\0', "list", "Security Options")
                .bool("read-only", '\0', "Mount the container's root filesystem as read only")
                .value("tmpfs", '\0', "list", "Mount a tmpfs directory")
                .value("volume", 'v', "list", "Bind mount a volume")
                .value("mount", '\0', "mount", "Attach a filesystem mount to the container")
                .bool("init", '\0', "Run an init inside the container that forwards signals and reaps processes")
                .value("ulimit", '\0', "ulimit", "Ulimit options")
                .value("shm-size", '\0', "bytes", "Size of /dev/shm")
                .value("memory", 'm', "bytes", "Memory limit")
                .value("memory-swap", '\0', "bytes", "Swap limit equal to memory plus swap: '-1' to enable unlimited swap")
                .value("memory-reservation", '\0', "bytes", "Memory soft limit")
                .value("cpus", '\0', "decimal", "Number of CPUs")
                .value("cpu-shares", 'c', "int", "CPU shares (relative weight)")
                .value("cpu-period", '\0', "int", "Limit CPU CFS (Completely Fair Scheduler) period")
                .value("cpu-quota", '\0', "int", "Limit CPU CFS (Completely Fair Scheduler) quota")
                .value("cpuset-cpus", '\0', "string", "CPUs in which to allow execution (0-3, 0,1)")
                .value("cpuset-mems", '\0', "string", "MEMs in which to allow execution (0-3, 0,1)")
                .value("pids-limit", '\0', "int", "Tune container pids limit (set -1 for unlimited)")
                .value("blkio-weight", '\0', "uint16", "Block IO (relative weight), between 10 and 1000, or 0 to disable")
                .value("restart", '\0', "string", "Restart policy to apply when a container exits", "no")
                .value("stop-signal", '\0', "string", "Signal to stop the container")
                .value("stop-timeout", '\0', "int", "Timeout (in seconds) to stop a container")
                .value("runtime", '\0', "string", "Runtime to use for this container")
                .value("group-add", '\0', "list", "Add additional groups to join")
                .value("sysctl", '\0', "map", "Sysctl options")
                .value("oom-score-adj", '\0', "int", "Tune host's OOM preferences (-1000 to 1000)")
                .value("pid", '\0', "string", "PID namespace to use")
                .value("ipc", '\0', "string", "IPC mode to use")
                .value("uts", '\0', "string", "UTS namespace to use")
                .value("pull", '\0', "string", "Pull image before running (\"always\", \"missing\", \"never\")", "missing")
                .value("platform", '\0', "string", "Set platform if server is multi-platform capable");
    }

    /** @param args IMAGE [COMMAND [ARG...]]; @param env the CLI's environment (for "-e KEY" without a value) */
    static ContainerSpec spec(Flags.Parsed p, List<String> args, Map<String, String> env) {
        if (args.isEmpty()) throw new UsageException("\"run\" requires at least 1 argument.", 1);
        String image = args.getFirst();
        List<String> cmd = args.size() > 1 ? List.copyOf(args.subList(1, args.size())) : null;
        List<String> entrypoint = null;
        if (p.has("entrypoint")) {
            String ep = p.value("entrypoint");
            entrypoint = ep.isEmpty() ? List.of("") : List.of(ep);
        }
        List<String> envs = new ArrayList<>();
        for (String file : p.values("env-file")) envs.addAll(envFile(Path.of(file), env));
        for (String e : p.values("env")) addEnv(envs, e, env);
        Map<String, String> labels = new LinkedHashMap<>();
        for (String l : p.values("label")) {
            int eq = l.indexOf('=');
            labels.put(eq < 0 ? l : l.substring(0, eq), eq < 0 ? "" : l.substring(eq + 1));
        }
        boolean tty = p.bool("tty"), stdin = p.bool("interactive");
        String network = p.value("network") != null ? p.value("network") : p.value("net");
        List<String> binds = new ArrayList<>();
        List<HostSpec.MountSpec> mounts = new ArrayList<>();
        for (String v : p.values("volume")) volume(v, binds, mounts);
        for (String m : p.values("mount")) mounts.add(mount(m));
        Map<String, String> tmpfs = new LinkedHashMap<>();
        for (String t : p.values("tmpfs")) {
            int c = t.indexOf(':');
            tmpfs.put(c < 0 ? t : t.substring(0, c), c < 0 ? "" : t.substring(c + 1));
        }
        List<HostSpec.Ulimit> ulimits = new ArrayList<>();
        for (String u : p.values("ulimit")) ulimits.add(ulimit(u));
        String[] restart = restart(p.value("restart"));
        Map<String, String> sysctls = new LinkedHashMap<>();
        for (String s : p.values("sysctl")) {
            int eq = s.indexOf('=');
            if (eq <= 0) throw new UsageException("invalid argument \"" + s + "\" for \"--sysctl\" flag: sysctl '" + s + "' is not allowed");
            sysctls.put(s.substring(0, eq), s.substring(eq + 1));
        }
        HostSpec.Resources res = new HostSpec.Resources(
                bytesOrNull(p.value("memory"), "memory"), swap(p.value("memory-swap")), bytesOrNull(p.value("memory-reservation"), "memory-reservation"),
                p.value("cpus") == null ? null : nanoCpus(p.value("cpus")), longOrNull(p.value("cpu-shares"), "cpu-shares"),
                longOrNull(p.value("cpu-quota"), "cpu-quota"), longOrNull(p.value("cpu-period"), "cpu-period"),
                p.value("cpuset-cpus"), p.value("cpuset-mems"), longOrNull(p.value("pids-limit"), "pids-limit"),
                p.value("blkio-weight") == null ? null : (int) (long) longOrNull(p.value("blkio-weight"), "blkio-weight"));
        HostSpec host = new HostSpec(List.copyOf(binds), List.copyOf(mounts), tmpfs, network, p.bool("rm"), p.bool("privileged"),
                caps(p.values("cap-add")), caps(p.values("cap-drop")), p.values("security-opt"), p.bool("read-only"),
                p.bool("init") ? Boolean.TRUE : null, List.copyOf(ulimits), bytesOrNull(p.value("shm-size"), "shm-size"),
                restart[0], Integer.parseInt(restart[1]), res, p.value("runtime"), p.values("group-add"), sysctls,
                p.value("oom-score-adj") == null ? null : (int) (long) longOrNull(p.value("oom-score-adj"), "oom-score-adj"),
                p.value("pid"), p.value("ipc"), p.value("uts"), null);
        Integer stopTimeout = p.value("stop-timeout") == null ? null : (int) (long) longOrNull(p.value("stop-timeout"), "stop-timeout");
        return new ContainerSpec(p.value("name"), image, cmd, entrypoint, envs.isEmpty() ? null : List.copyOf(envs), p.value("workdir"),
                p.value("user"), p.value("hostname"), labels, tty, stdin, stdin, p.value("stop-signal"), stopTimeout, host);
    }

    /** docker's env file: KEY=VALUE lines, # comments and blank lines skipped, a bare KEY taken from the environment if set. */
    static List<String> envFile(Path file, Map<String, String> env) {
        List<String> lines;
        try { lines = Files.readAllLines(file); }
        catch (NoSuchFileException e) { throw new CliException("open " + file + ": no such file or directory"); }
        catch (IOException e) { throw new CliException("open " + file + ": " + e.getMessage()); }
        List<String> out = new ArrayList<>();
        for (String raw : lines) {
            String line = raw.stripLeading();
            if (line.isEmpty() || line.startsWith("#")) continue;
            addEnv(out, line, env);
        }
        return out;
    }

    private static void addEnv(List<String> out, String e, Map<String, String> env) {
        int eq = e.indexOf('=');
        if (eq == 0) throw new CliException("invalid environment variable: " + e);
        if (eq > 0) { out.add(e); return; }
        String v = env.get(e);
        if (v != null) out.add(e + "=" + v);
    }

    /** {@code -v SRC:DST[:OPTS]} is a bind (or a named volume); a lone {@code -v /dst} is an anonymous volume. */
    static void volume(String v, List<String> binds, List<HostSpec.MountSpec> mounts) {
        String[] parts = v.split(":", -1);
        if (parts.length == 1) {
            if (!parts[0].startsWith("/")) throw new CliException("invalid volume specification: '" + v + "'");
            mounts.add(new HostSpec.MountSpec("volume", null, parts[0], false, null));
            return;
        }
        if (parts.length > 3 || parts[0].isEmpty() || !parts[1].startsWith("/"))
            throw new CliException("invalid volume specification: '" + v + "'");
        if (parts.length == 3) {
            for (String o : parts[2].split(",")) {
                if (!List.of("ro", "rw", "z", "Z", "shared", "rshared", "slave", "rslave", "private", "rprivate", "nocopy").contains(o))
                    throw new CliException("invalid mode: " + o);
            }
        }
        binds.add(v);
    }

    /** {@code --mount type=bind,source=/a,target=/b,readonly,bind-propagation=rshared}. */
    static HostSpec.MountSpec mount(String spec) {
        String type = "volume", source = null, target = null, propagation = null;
        boolean ro = false, noCopy = false;
        for (String kv : spec.split(",")) {
            int eq = kv.indexOf('=');
            String k = (eq < 0 ? kv : kv.substring(0, eq)).strip().toLowerCase(Locale.ROOT), v = eq < 0 ? null : kv.substring(eq + 1);
            switch (k) {
                case "type" -> type = v;
                case "source", "src" -> source = v;
                case "target", "destination", "dst" -> target = v;
                case "readonly", "ro" -> ro = v == null || v.equals("1") || v.equalsIgnoreCase("true");
                case "bind-propagation" -> propagation = v;
                case "volume-nocopy" -> noCopy = v == null || v.equals("1") || v.equalsIgnoreCase("true");
                case "tmpfs-size", "tmpfs-mode", "consistency" -> { /* accepted; the daemon applies its defaults */ }
                default -> throw new CliException("invalid argument \"" + spec + "\" for \"--mount\" flag: unexpected key '" + k + "' in '" + kv + "'");
            }
        }
        if (target == null) throw new CliException("invalid argument \"" + spec + "\" for \"--mount\" flag: target is required");
        if (!List.of("bind", "volume", "tmpfs").contains(type)) throw new CliException("invalid argument \"" + spec + "\" for \"--mount\" flag: invalid mount type " + type);
        return new HostSpec.MountSpec(type, source, target, ro, propagation, noCopy);
    }

    /** {@code --ulimit nofile=1024[:2048]}; a missing hard limit equals the soft one, as docker. */
    static HostSpec.Ulimit ulimit(String u) {
        int eq = u.indexOf('=');
        if (eq <= 0) throw new CliException("invalid argument \"" + u + "\" for \"--ulimit\" flag: invalid ulimit argument: " + u);
        String[] lim = u.substring(eq + 1).split(":");
        try {
            long soft = Long.parseLong(lim[0]), hard = lim.length > 1 ? Long.parseLong(lim[1]) : soft;
            if (soft > hard) throw new CliException("invalid argument \"" + u + "\" for \"--ulimit\" flag: ulimit soft limit must be less than or equal to hard limit: " + soft + " > " + hard);
            return new HostSpec.Ulimit(u.substring(0, eq), soft, hard);
        } catch (NumberFormatException e) {
            throw new CliException("invalid argument \"" + u + "\" for \"--ulimit\" flag: invalid ulimit argument: " + u);
        }
    }

    /** {@code no}, {@code always}, {@code unless-stopped}, {@code on-failure[:N]} → {name, maxRetries}. */
    static String[] restart(String r) {
        if (r == null || r.isEmpty()) return new String[]{"no", "0"};
        int c = r.indexOf(':');
        String name = c < 0 ? r : r.substring(0, c);
        if (!List.of("no", "always", "unless-stopped", "on-failure").contains(name))
            throw new CliException("invalid restart policy: " + r);
        if (c < 0) return new String[]{name, "0"};
        if (!name.equals("on-failure")) throw new CliException("invalid restart policy: maximum retry count can only be used with 'on-failure'");
        try { return new String[]{name, Integer.toString(Integer.parseInt(r.substring(c + 1)))}; }
        catch (NumberFormatException e) { throw new CliException("invalid restart policy: maximum retry count must be an integer"); }
    }

    /** {@code --cpus 1.5} → 1500000000 NanoCpus (docker: at most 9 fractional digits). */
    static long nanoCpus(String s) {
        try {
            BigDecimal n = new BigDecimal(s).movePointRight(9);
            if (n.signum() < 0) throw new NumberFormatException();
            return n.setScale(0, java.math.RoundingMode.DOWN).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new CliException("invalid argument \"" + s + "\" for \"--cpus\" flag: failed to parse " + s + " as a rational number");
        }
    }

    /** docker's RAMInBytes: {@code 64m}, {@code 1g}, {@code 512k}, {@code 1.5GiB}, plain bytes; binary multiples. */
    static long ramInBytes(String s) {
        var m = java.util.regex.Pattern.compile("^(\\d+(?:\\.\\d+)?) ?([kKmMgGtTpP])?(?:[iI]?[bB])?$").matcher(s.strip());
        if (!m.matches()) throw new NumberFormatException("invalid size: '" + s + "'");
        BigDecimal v = new BigDecimal(m.group(1));
        int shift = m.group(2) == null ? 0 : 10 * ("kmgtp".indexOf(Character.toLowerCase(m.group(2).charAt(0))) + 1);
        return v.multiply(BigDecimal.valueOf(2).pow(shift)).longValue();
    }

    private static Long bytesOrNull(String s, String flag) {
        if (s == null || s.isEmpty()) return null;
        try { return ramInBytes(s); }
        catch (NumberFormatException e) { throw new CliException("invalid argument \"" + s + "\" for \"--" + flag + "\" flag: invalid size: '" + s + "'"); }
    }

    private static Long swap(String s) {
        if ("-1".equals(s)) return -1L;
        return bytesOrNull(s, "memory-swap");
    }

    private static Long longOrNull(String s, String flag) {
        if (s == null || s.isEmpty()) return null;
        try { return Long.parseLong(s); }
        catch (NumberFormatException e) { throw new UsageException("invalid argument \"" + s + "\" for \"--" + flag + "\" flag: strconv.ParseInt: parsing \"" + s + "\": invalid syntax"); }
    }

    /** The docker CLI normalises capabilities to upper case with the CAP_ prefix ("ALL" stays). */
    static List<String> caps(List<String> in) {
        List<String> out = new ArrayList<>();
        for (String c : in) {
            String u = c.toUpperCase(Locale.ROOT);
            out.add(u.equals("ALL") || u.startsWith("CAP_") ? u : "CAP_" + u);
        }
        return List.copyOf(out);
    }
}
