package io.berth.cli;

import io.berth.api.BerthException;
import io.berth.api.container.AttachOptions;
import io.berth.api.container.AttachSession;
import io.berth.api.container.ContainerDetails;
import io.berth.api.container.ContainerListOptions;
import io.berth.api.container.ContainerSpec;
import io.berth.api.container.ContainerSummary;
import io.berth.api.container.ExecSpec;
import io.berth.api.container.LogEntry;
import io.berth.api.container.LogOptions;
import io.berth.api.container.LogStream;
import io.berth.api.container.StdStream;
import io.berth.api.container.WaitCondition;
import io.berth.api.container.WaitResult;
import io.berth.api.image.PullOptions;
import io.berth.client.ContainerClient;
import io.berth.client.DaemonException;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/** The container verbs: flags become a ContainerSpec or options, the client does the work, this renders. */
final class ContainerCommands {
    private ContainerCommands() { }

    // ------------------------------------------------------------------ run, create

    static int run(Cli cli, List<String> args, String cmd) {
        Flags f = NetworkFlags.add(RunFlags.flags(cmd + " [OPTIONS] IMAGE [COMMAND] [ARG...]", "Create and run a new container from an image", true)).noInterspersed();
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 1, Integer.MAX_VALUE);
        ContainerSpec spec = NetworkFlags.apply(p, RunFlags.spec(p, p.args(), cli.env));
        boolean detach = p.bool("detach");
        if (!detach && spec.tty() && spec.openStdin() && !cli.stdinIsTerminal())
            throw new CliException("the input device is not a TTY");
        int[] size = spec.tty() && cli.stdinIsTerminal() ? Streams.terminalSize() : null;
        if (size != null) spec = spec.withHost(withConsole(spec, size));
        ContainerClient c = cli.client().containers();
        String id;
        String prog = cmd.replace(" container", "").replace(" run", "");
        try {
            id = createPulling(cli, spec, !detach, p.value("pull"));
        } catch (DaemonException e) {
            cli.err.println(prog + ": Error response from daemon: " + e.getMessage());
            return 125;
        } catch (BerthException e) {
            // e.g. the implicit pull failed: docker says so and exits 125 like any failure before start
            cli.err.println(prog + ": " + e.getMessage());
            return 125;
        }
        AttachSession session = null;
        Streams.RawMode raw = null;
        ContainerClient.PendingWait pending;
        try {
            if (!detach) session = c.attach(id, new AttachOptions(spec.openStdin(), true, true, false, true), spec.tty());
            pending = c.waitAsync(id, spec.host().autoRemove() ? WaitCondition.REMOVED : WaitCondition.NEXT_EXIT);
        } catch (DaemonException e) {
            if (session != null) session.close();
            cli.err.println(prog + ": Error response from daemon: " + e.getMessage());
            return 125;
        }
        try {
            try (ContainerClient.PendingWait w = pending) {
                if (session != null && spec.tty() && spec.openStdin() && cli.stdinIsTerminal()) raw = Streams.RawMode.enter();
                try {
                    c.start(id);
                } catch (DaemonException e) {
                    if (raw != null) { raw.close(); raw = null; }
                    cli.err.println(prog + ": Error response from daemon: " + e.getMessage());
                    return startFailureCode(e.getMessage());
                }
                if (detach) {
                    cli.out.println(id);
                    return 0;
                }
                if (size != null) resizeQuietly(() -> c.resize(id, size[0], size[1]));
                List<AutoCloseable> handlers = signals(cli, c, id, spec.tty(), !p.has("sig-proxy") || p.bool("sig-proxy"));
                try {
                    Streams.pump(session, cli.in, cli.out, cli.err);
                } finally {
                    Streams.closeAll(handlers);
                }
                WaitResult r = w.result();
                if (r.error() != null) cli.err.println("Error response from daemon: " + r.error());
                return r.statusCode();
            }
        } catch (IOException e) {
            throw new CliException("attaching to " + id + ": " + e.getMessage());
        } finally {
            if (raw != null) raw.close();
            if (session != null) session.close();
        }
    }

    /**
     * Like the docker CLI while attached: a terminal resize is passed on (SIGWINCH → resize), and
     * without a TTY, SIGINT/SIGTERM are forwarded to the container (--sig-proxy) instead of
     * ending berth; with a TTY the keys reach the process through the raw terminal anyway.
     */
    private static List<AutoCloseable> signals(Cli cli, ContainerClient c, String id, boolean tty, boolean proxy) {
        List<AutoCloseable> handlers = new ArrayList<>();
        if (tty && cli.stdinIsTerminal()) {
            handlers.add(Streams.onSignal("WINCH", () -> {
                int[] s = Streams.terminalSize();
                if (s != null) {
                    try { c.resize(id, s[0], s[1]); } catch (BerthException ignored) { /* the container may have gone */ }
                }
            }));
        }
        if (proxy && !tty) {
            for (String sig : List.of("INT", "TERM")) {
                handlers.add(Streams.onSignal(sig, () -> {
                    try { c.kill(id, "SIG" + sig); } catch (BerthException ignored) { /* already stopped */ }
                }));
            }
        }
        return handlers;
    }

    /** docker's codes for a start that failed: 126 cannot execute, 127 not found, else 125. */
    static int startFailureCode(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        if (m.contains("executable file not found") || m.contains("no such file or directory")) return 127;
        if (m.contains("permission denied")) return 126;
        return 125;
    }

    private static io.berth.api.container.HostSpec withConsole(ContainerSpec s, int[] size) {
        var h = s.host();
        return new io.berth.api.container.HostSpec(h.binds(), h.mounts(), h.tmpfs(), h.networkMode(), h.autoRemove(), h.privileged(),
                h.capAdd(), h.capDrop(), h.securityOpt(), h.readOnlyRootfs(), h.init(), h.ulimits(), h.shmSize(), h.restartPolicy(),
                h.restartMaxRetries(), h.resources(), h.runtime(), h.groupAdd(), h.sysctls(), h.oomScoreAdj(), h.pidMode(), h.ipcMode(),
                h.utsMode(), List.of(size[0], size[1]));
    }

    /** Like the docker CLI: resize can race the process's start; retry a few times, then give up quietly. */
    private static void resizeQuietly(Runnable resize) {
        for (int i = 1; i <= 10; i++) {
            try { resize.run(); return; }
            catch (BerthException e) {
                try { Thread.sleep(10L * i); } catch (InterruptedException ie) { Thread.currentThread().interrupt(); return; }
            }
        }
    }

    /** Creates; on "No such image" pulls (as docker does with --pull missing) and creates again. */
    private static String createPulling(Cli cli, ContainerSpec spec, boolean attach, String pull) {
        ContainerClient c = cli.client().containers();
        if ("always".equals(pull)) pullQuietly(cli, spec.image());
        try {
            return warn(cli, c.create(spec, attach));
        } catch (DaemonException e) {
            if (e.kind() != BerthException.Kind.NOT_FOUND || !e.getMessage().startsWith("No such image") || "never".equals(pull)) throw e;
        }
        cli.err.println("Unable to find image '" + spec.image() + "' locally");
        pullQuietly(cli, spec.image());
        return warn(cli, c.create(spec, attach));
    }

    private static void pullQuietly(Cli cli, String image) {
        ProgressPrinter progress = new ProgressPrinter(cli.err, false);
        cli.client().pullStream(PullOptions.of(image), m -> { progress.accept(m); cli.err.flush(); });
    }

    private static String warn(Cli cli, io.berth.api.container.CreateReport r) {
        for (String w : r.warnings()) cli.err.println("WARNING: " + w);
        return r.id();
    }

    static int create(Cli cli, List<String> args, String cmd) {
        Flags f = NetworkFlags.add(RunFlags.flags(cmd + " [OPTIONS] IMAGE [COMMAND] [ARG...]", "Create a new container", false)).noInterspersed();
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 1, Integer.MAX_VALUE);
        ContainerSpec spec = NetworkFlags.apply(p, RunFlags.spec(p, p.args(), cli.env));
        cli.out.println(createPulling(cli, spec, false, p.value("pull")));
        return 0;
    }

    // ------------------------------------------------------------------ start, attach

    static int start(Cli cli, List<String> args, String cmd) {
        Flags f = new Flags(cmd + " [OPTIONS] CONTAINER [CONTAINER...]", "Start one or more stopped containers")
                .bool("attach", 'a', "Attach STDOUT/STDERR and forward signals")
                .bool("interactive", 'i', "Attach container's STDIN")
                .value("detach-keys", '\0', "string", "Override the key sequence for detaching a container");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 1, Integer.MAX_VALUE);
        ContainerClient c = cli.client().containers();
        if (p.bool("attach") || p.bool("interactive")) {
            if (p.args().size() > 1) throw new CliException("you cannot start and attach multiple containers at once");
            String ref = p.args().getFirst();
            ContainerDetails d = c.inspect(ref);
            boolean stdin = p.bool("interactive") && d.spec().openStdin();
            return attached(cli, c, d.id(), d.spec().tty(), stdin, true);
        }
        return each(cli, p.args(), (ref, out) -> { c.start(ref); out.println(ref); });
    }

    /** attach → wait(next-exit) → start (unless already running) → stream → exit code, the CLI's order. */
    private static int attached(Cli cli, ContainerClient c, String id, boolean tty, boolean stdin, boolean start) {
        Streams.RawMode raw = null;
        try (AttachSession s = c.attach(id, new AttachOptions(stdin, true, true, false, true), tty);
             ContainerClient.PendingWait w = c.waitAsync(id, WaitCondition.NEXT_EXIT)) {
            if (tty && stdin && cli.stdinIsTerminal()) raw = Streams.RawMode.enter();
            if (start) c.start(id);
            if (tty && cli.stdinIsTerminal()) {
                int[] size = Streams.terminalSize();
                if (size != null) resizeQuietly(() -> c.resize(id, size[0], size[1]));
            }
            List<AutoCloseable> handlers = signals(cli, c, id, tty, true);
            try {
                Streams.pump(s, cli.in, cli.out, cli.err);
            } finally {
                Streams.closeAll(handlers);
            }
            return w.result().statusCode();
        } catch (IOException e) {
            throw new CliException("attaching to " + id + ": " + e.getMessage());
        } finally {
            if (raw != null) raw.close();
        }
    }

    static int attach(Cli cli, List<String> args, String cmd) {
        Flags f = new Flags(cmd + " [OPTIONS] CONTAINER", "Attach local standard input, output, and error streams to a running container")
                .bool("no-stdin", '\0', "Do not attach STDIN")
                .bool("sig-proxy", '\0', "Proxy all received signals to the process (default true)")
                .value("detach-keys", '\0', "string", "Override the key sequence for detaching a container");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 1, 1);
        ContainerClient c = cli.client().containers();
        ContainerDetails d = c.inspect(p.args().getFirst());
        if (!d.state().running()) throw new CliException("You cannot attach to a stopped container, start it first");
        if (d.state().status() == io.berth.api.container.ContainerState.Status.PAUSED)
            throw new CliException("You cannot attach to a paused container, unpause it first");
        return attached(cli, c, d.id(), d.spec().tty(), !p.bool("no-stdin") && d.spec().openStdin(), false);
    }

    // ------------------------------------------------------------------ stop, restart, kill, rm, pause, unpause, wait, rename

    static int stop(Cli cli, List<String> args, String cmd, boolean restart) {
        Flags f = new Flags(cmd + " [OPTIONS] CONTAINER [CONTAINER...]", restart ? "Restart one or more containers" : "Stop one or more running containers")
                .value("signal", 's', "string", "Signal to send to the container")
                .value("time", 't', "int", "Seconds to wait before killing the container");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 1, Integer.MAX_VALUE);
        Integer t = null;
        if (p.value("time") != null) {
            try { t = Integer.parseInt(p.value("time")); }
            catch (NumberFormatException e) { throw new UsageException("invalid argument \"" + p.value("time") + "\" for \"-t, --time\" flag: strconv.ParseInt: parsing \"" + p.value("time") + "\": invalid syntax"); }
        }
        Integer timeout = t;
        ContainerClient c = cli.client().containers();
        return each(cli, p.args(), (ref, out) -> {
            try {
                if (restart) c.restart(ref, timeout, p.value("signal")); else c.stop(ref, timeout, p.value("signal"));
            } catch (DaemonException e) {
                if (e.kind() != BerthException.Kind.NOT_MODIFIED) throw e; // already stopped: docker prints the name anyway
            }
            out.println(ref);
        });
    }

    static int kill(Cli cli, List<String> args, String cmd) {
        Flags f = new Flags(cmd + " [OPTIONS] CONTAINER [CONTAINER...]", "Kill one or more running containers")
                .value("signal", 's', "string", "Signal to send to the container");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 1, Integer.MAX_VALUE);
        ContainerClient c = cli.client().containers();
        return each(cli, p.args(), (ref, out) -> { c.kill(ref, p.value("signal")); out.println(ref); });
    }

    static int rm(Cli cli, List<String> args, String cmd) {
        Flags f = new Flags(cmd + " [OPTIONS] CONTAINER [CONTAINER...]", "Remove one or more containers")
                .bool("force", 'f', "Force the removal of a running container (uses SIGKILL)")
                .bool("link", 'l', "Remove the specified link")
                .bool("volumes", 'v', "Remove anonymous volumes associated with the container");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 1, Integer.MAX_VALUE);
        ContainerClient c = cli.client().containers();
        return each(cli, p.args(), (ref, out) -> { c.remove(ref, p.bool("force"), p.bool("volumes")); out.println(ref); });
    }

    static int pause(Cli cli, List<String> args, String cmd, boolean pause) {
        Flags f = new Flags(cmd + " CONTAINER [CONTAINER...]", pause ? "Pause all processes within one or more containers"
                : "Unpause all processes within one or more containers");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 1, Integer.MAX_VALUE);
        ContainerClient c = cli.client().containers();
        return each(cli, p.args(), (ref, out) -> { if (pause) c.pause(ref); else c.unpause(ref); out.println(ref); });
    }

    static int waitCmd(Cli cli, List<String> args, String cmd) {
        Flags f = new Flags(cmd + " CONTAINER [CONTAINER...]", "Block until one or more containers stop, then print their exit codes");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 1, Integer.MAX_VALUE);
        ContainerClient c = cli.client().containers();
        return each(cli, p.args(), (ref, out) -> out.println(c.wait(ref, WaitCondition.NOT_RUNNING).statusCode()));
    }

    static int rename(Cli cli, List<String> args, String cmd) {
        Flags f = new Flags(cmd + " CONTAINER NEW_NAME", "Rename a container");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 2, 2);
        cli.client().containers().rename(p.args().get(0), p.args().get(1));
        return 0;
    }

    /** Runs the action per container; daemon errors are printed and make the status 1, the rest go on (docker's behaviour). */
    private static int each(Cli cli, List<String> refs, BiConsumer<String, PrintStream> action) {
        int status = 0;
        for (String ref : refs) {
            try {
                action.accept(ref, cli.out);
                cli.out.flush();
            } catch (DaemonException e) {
                cli.out.flush();
                cli.err.println("Error response from daemon: " + e.getMessage());
                status = 1;
            }
        }
        return status;
    }

    // ------------------------------------------------------------------ ps

    static final String PS_TABLE = "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
    static final Map<String, String> PS_HEADERS = Map.ofEntries(
            Map.entry("ID", "CONTAINER ID"), Map.entry("Image", "IMAGE"), Map.entry("Command", "COMMAND"),
            Map.entry("RunningFor", "CREATED"), Map.entry("CreatedAt", "CREATED AT"), Map.entry("Status", "STATUS"),
            Map.entry("Ports", "PORTS"), Map.entry("Names", "NAMES"), Map.entry("State", "STATE"), Map.entry("Labels", "LABELS"),
            Map.entry("Mounts", "MOUNTS"), Map.entry("Networks", "NETWORKS"), Map.entry("Size", "SIZE"), Map.entry("LocalVolumes", "LOCAL VOLUMES"));

    static int ps(Cli cli, List<String> args, String cmd) {
        Flags f = new Flags(cmd + " [OPTIONS]", "List containers")
                .bool("all", 'a', "Show all containers (default shows just running)")
                .value("filter", 'f', "filter", "Filter output based on conditions provided")
                .value("format", '\0', "string", "Format output using a custom template")
                .value("last", 'n', "int", "Show n last created containers (includes all states)", "-1")
                .bool("latest", 'l', "Show the latest created container (includes all states)")
                .bool("no-trunc", '\0', "Don't truncate output")
                .bool("quiet", 'q', "Only display container IDs")
                .bool("size", 's', "Display total file sizes");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 0, 0);
        int limit;
        try { limit = Integer.parseInt(p.value("last")); }
        catch (NumberFormatException e) { throw new UsageException("invalid argument \"" + p.value("last") + "\" for \"-n, --last\" flag: strconv.ParseInt: parsing \"" + p.value("last") + "\": invalid syntax"); }
        if (p.bool("latest")) limit = 1;
        Map<String, List<String>> filters = new LinkedHashMap<>();
        for (String filter : p.values("filter")) {
            int eq = filter.indexOf('=');
            if (eq <= 0) throw new CliException("invalid filter '" + filter + "': bad format of filter (expected name=value)");
            filters.computeIfAbsent(filter.substring(0, eq), k -> new ArrayList<>()).add(filter.substring(eq + 1));
        }
        boolean all = p.bool("all") || limit > 0;
        List<ContainerSummary> list = cli.client().containers().list(new ContainerListOptions(all, limit, filters));
        boolean trunc = !p.bool("no-trunc");
        List<Map<String, Object>> rows = new ArrayList<>();
        Instant now = Instant.now();
        for (ContainerSummary s : list) rows.add(psRow(s, trunc, now));
        String format = p.value("format");
        if (p.bool("quiet")) format = "{{.ID}}";
        else if (format == null || format.isEmpty() || format.equals("table")) format = "table " + PS_TABLE;
        cli.out.print(Formatter.render(format, PS_TABLE, rows, PS_HEADERS));
        return 0;
    }

    static Map<String, Object> psRow(ContainerSummary s, boolean trunc, Instant now) {
        Map<String, Object> m = new TreeMap<>();
        m.put("ID", trunc && s.id().length() > 12 ? s.id().substring(0, 12) : s.id());
        String image = s.image() == null || s.image().isEmpty() ? "<no image>" : s.image();
        if (trunc && image.startsWith("sha256:") && image.length() > 19) image = image.substring(7, 19);
        m.put("Image", image);
        String command = s.command() == null ? "" : s.command();
        m.put("Command", goQuote(trunc ? Units.ellipsis(command, 20) : command));
        m.put("RunningFor", ImageCommands.since(s.created(), now));
        m.put("CreatedAt", ImageCommands.goTime(s.created()));
        m.put("Status", s.status());
        m.put("State", s.state() == null ? "" : s.state().word());
        m.put("Ports", PortFormat.displayable(s.networkSettings().ports()));
        List<String> names = new ArrayList<>();
        for (String n : s.names()) {
            String x = n.startsWith("/") ? n.substring(1) : n;
            if (trunc && x.contains("/")) continue; // link aliases ("/other/alias") are hidden unless --no-trunc
            names.add(x);
        }
        m.put("Names", String.join(",", names));
        List<String> labels = new ArrayList<>();
        s.labels().forEach((k, v) -> labels.add(k + "=" + v));
        m.put("Labels", String.join(",", labels));
        m.put("Mounts", "");
        m.put("Networks", String.join(",", new java.util.TreeSet<>(s.networkSettings().networks().keySet())));
        m.put("Size", "");
        m.put("LocalVolumes", "0");
        return m;
    }

    /** Go's strconv.Quote for what commands contain: backslash, quote and control characters escaped. */
    static String goQuote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> {
                    if (ch < 0x20 || ch == 0x7f) b.append(String.format("\\x%02x", (int) ch));
                    else b.append(ch);
                }
            }
        }
        return b.append('"').toString();
    }

    // ------------------------------------------------------------------ logs

    static int logs(Cli cli, List<String> args, String cmd) {
        Flags f = new Flags(cmd + " [OPTIONS] CONTAINER", "Fetch the logs of a container")
                .bool("details", '\0', "Show extra details provided to logs")
                .bool("follow", 'f', "Follow log output")
                .value("since", '\0', "string", "Show logs since timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for 42 minutes)")
                .value("tail", 'n', "string", "Number of lines to show from the end of the logs", "all")
                .bool("timestamps", 't', "Show timestamps")
                .value("until", '\0', "string", "Show logs before a timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for 42 minutes)");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 1, 1);
        int tail = -1;
        String t = p.value("tail");
        if (!t.equals("all")) {
            try { tail = Integer.parseInt(t); } catch (NumberFormatException e) { tail = -1; } // docker: anything else means all
        }
        Instant now = Instant.now();
        LogOptions o = new LogOptions(true, true, p.bool("follow"), p.bool("timestamps"),
                p.value("since") == null ? null : timeArg(p.value("since"), now), p.value("until") == null ? null : timeArg(p.value("until"), now), tail);
        try (LogStream s = cli.client().containers().logs(p.args().getFirst(), o)) {
            LogEntry e;
            while ((e = s.next()) != null) {
                PrintStream to = e.stream() == StdStream.STDERR ? cli.err : cli.out;
                if (e.time() != null) to.print(rfc3339Nano(e.time()) + " ");
                to.write(e.data(), 0, e.data().length);
                to.flush();
            }
        } catch (IOException e) {
            throw new CliException("reading logs: " + e.getMessage());
        }
        return 0;
    }

    /** docker's since/until: RFC 3339 (with or without zone), a date, unix seconds[.nanos], or a Go duration back from now ("42m", "1h30m"). */
    static Instant timeArg(String s, Instant now) {
        if (s.matches("\\d+(\\.\\d+)?")) {
            int dot = s.indexOf('.');
            long sec = Long.parseLong(dot < 0 ? s : s.substring(0, dot));
            long nanos = dot < 0 ? 0 : Long.parseLong((s.substring(dot + 1) + "000000000").substring(0, 9));
            return Instant.ofEpochSecond(sec, nanos);
        }
        Duration d = goDuration(s);
        if (d != null) return now.minus(d);
        try { return OffsetDateTime.parse(s).toInstant(); } catch (DateTimeParseException ignored) { }
        try { return LocalDateTime.parse(s).atZone(ZoneId.systemDefault()).toInstant(); } catch (DateTimeParseException ignored) { }
        try { return LocalDate.parse(s).atStartOfDay(ZoneId.systemDefault()).toInstant(); } catch (DateTimeParseException ignored) { }
        throw new CliException("invalid value for \"since\"/\"until\": failed to parse value as time or duration: \"" + s + "\"");
    }

    /** Go's time.ParseDuration for the units people type (h, m, s, ms, us, ns); null if it is not one. */
    static Duration goDuration(String s) {
        var m = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)").matcher(s);
        int pos = 0;
        double nanos = 0;
        while (m.find() && m.start() == pos) {
            double v = Double.parseDouble(m.group(1));
            nanos += v * switch (m.group(2)) {
                case "ns" -> 1; case "us", "µs" -> 1e3; case "ms" -> 1e6; case "s" -> 1e9; case "m" -> 60e9; default -> 3600e9;
            };
            pos = m.end();
        }
        return pos == s.length() && pos > 0 ? Duration.ofNanos((long) nanos) : null;
    }

    /** Go's RFC3339Nano: UTC, fraction without trailing zeros. */
    static String rfc3339Nano(Instant t) {
        String base = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(java.time.ZoneOffset.UTC).format(t);
        if (t.getNano() == 0) return base + "Z";
        String frac = String.format("%09d", t.getNano()).replaceAll("0+$", "");
        return base + "." + frac + "Z";
    }

    // ------------------------------------------------------------------ exec

    static int exec(Cli cli, List<String> args, String cmd) {
        Flags f = new Flags(cmd + " [OPTIONS] CONTAINER COMMAND [ARG...]", "Execute a command in a running container")
                .bool("detach", 'd', "Detached mode: run command in the background")
                .value("detach-keys", '\0', "string", "Override the key sequence for detaching a container")
                .value("env", 'e', "list", "Set environment variables")
                .value("env-file", '\0', "list", "Read in a file of environment variables")
                .bool("interactive", 'i', "Keep STDIN open even if not attached")
                .bool("privileged", '\0', "Give extended privileges to the command")
                .bool("tty", 't', "Allocate a pseudo-TTY")
                .value("user", 'u', "string", "Username or UID (format: \"<name|uid>[:<group|gid>]\")")
                .value("workdir", 'w', "string", "Working directory inside the container")
                .noInterspersed();
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 2, Integer.MAX_VALUE);
        List<String> env = new ArrayList<>();
        for (String file : p.values("env-file")) env.addAll(RunFlags.envFile(java.nio.file.Path.of(file), cli.env));
        for (String e : p.values("env")) {
            if (e.contains("=")) env.add(e);
            else if (cli.env.get(e) != null) env.add(e + "=" + cli.env.get(e));
        }
        boolean tty = p.bool("tty"), stdin = p.bool("interactive"), detach = p.bool("detach");
        if (!detach && tty && stdin && !cli.stdinIsTerminal()) throw new CliException("the input device is not a TTY");
        int[] size = tty && cli.stdinIsTerminal() ? Streams.terminalSize() : null;
        ExecSpec spec = new ExecSpec(List.copyOf(p.args().subList(1, p.args().size())), env, p.value("user"), p.value("workdir"), tty,
                stdin && !detach, !detach, !detach, p.bool("privileged"), size == null ? null : List.of(size[0], size[1]));
        ContainerClient c = cli.client().containers();
        String id = c.execCreate(p.args().getFirst(), spec);
        if (detach) {
            c.execStart(id, true, tty, false).close();
            return 0;
        }
        Streams.RawMode raw = null;
        try (AttachSession s = c.execStart(id, false, tty, stdin)) {
            if (tty && stdin && cli.stdinIsTerminal()) raw = Streams.RawMode.enter();
            if (size != null) resizeQuietly(() -> c.execResize(id, size[0], size[1]));
            AutoCloseable winch = size == null ? () -> { } : Streams.onSignal("WINCH", () -> {
                int[] now = Streams.terminalSize();
                if (now != null) {
                    try { c.execResize(id, now[0], now[1]); } catch (BerthException ignored) { /* the exec may have ended */ }
                }
            });
            try {
                Streams.pump(s, cli.in, cli.out, cli.err);
            } finally {
                Streams.closeAll(List.of(winch));
            }
            Integer code = s.exitCode();
            return code == null ? 0 : code;
        } catch (IOException e) {
            throw new CliException("exec " + id + ": " + e.getMessage());
        } finally {
            if (raw != null) raw.close();
        }
    }

    // ------------------------------------------------------------------ inspect

    static int inspect(Cli cli, List<String> args, String cmd, String onlyType) {
        Flags f = new Flags(cmd + " [OPTIONS] NAME|ID [NAME|ID...]", "Return low-level information on Docker objects")
                .value("format", 'f', "string", "Format output using a custom template")
                .bool("size", 's', "Display total file sizes if the type is container")
                .value("type", '\0', "string", "Return JSON for specified type");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 1, Integer.MAX_VALUE);
        String type = onlyType != null ? onlyType : p.value("type");
        if (type != null && !type.equals("container") && !type.equals("image") && !type.equals("network"))
            throw new CliException("\"" + type + "\" is not a valid value for --type");
        List<String> raws = new ArrayList<>(), errors = new ArrayList<>();
        for (String ref : p.args()) {
            String raw = null;
            if (type == null || type.equals("container")) {
                try { raw = cli.client().containers().inspectRaw(ref); }
                catch (DaemonException e) { if (e.kind() != BerthException.Kind.NOT_FOUND) throw e; }
            }
            if (raw == null && (type == null || type.equals("image"))) {
                try { raw = cli.client().inspectRaw(ref); }
                catch (DaemonException e) { if (e.kind() != BerthException.Kind.NOT_FOUND) throw e; }
            }
            if (raw == null && (type == null || type.equals("network"))) raw = NetworkCommands.inspectRawOrNull(cli, ref);
            if (raw != null) raws.add(raw);
            else errors.add(type == null ? "Error: No such object: " + ref
                    : "Error: No such " + type + ": " + ref);
        }
        return cli.printInspected(p.value("format"), raws, errors);
    }
}
