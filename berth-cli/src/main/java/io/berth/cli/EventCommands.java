package io.berth.cli;

import io.berth.api.container.Event;
import io.berth.api.container.EventOptions;
import io.berth.api.container.EventStream;
import io.berth.api.container.PruneReport;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code berth events} and {@code berth container prune}. */
final class EventCommands {
    private EventCommands() { }

    /** docker's default line: local time with nanoseconds and zone, type, action, ID, then (k=v, …) attributes. */
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.nnnnnnnnnXXX");

    static int events(Cli cli, List<String> args, String cmd) {
        Flags f = new Flags(cmd + " [OPTIONS]", "Get real time events from the server")
                .value("filter", 'f', "filter", "Filter output based on conditions provided")
                .value("format", '\0', "string", "Format output using a custom template")
                .value("since", '\0', "string", "Show all events created since timestamp")
                .value("until", '\0', "string", "Stream events until this timestamp");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 0, 0);
        Instant now = Instant.now();
        Instant since = p.value("since") == null || p.value("since").isEmpty() ? null : ContainerCommands.timeArg(p.value("since"), now);
        Instant until = p.value("until") == null || p.value("until").isEmpty() ? null : ContainerCommands.timeArg(p.value("until"), now);
        String format = p.value("format");
        Template t = format == null || format.isEmpty() ? null : Template.parse(format.equals("json") ? "{{json .}}" : format);
        try (EventStream s = cli.client().containers().events(new EventOptions(since, until, Cli.filters(p.values("filter"))))) {
            for (Event e; (e = s.next()) != null; ) {
                cli.out.println(t != null ? t.render(row(e)) : line(e));
                cli.out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    static String line(Event e) {
        Instant t = Instant.ofEpochSecond(0, e.timeNano());
        StringBuilder b = new StringBuilder(TIME.format(t.atZone(ZoneId.systemDefault())))
                .append(' ').append(e.type()).append(' ').append(e.action()).append(' ').append(e.actorId());
        if (!e.attributes().isEmpty()) {
            List<String> kv = new ArrayList<>();
            new java.util.TreeMap<>(e.attributes()).forEach((k, v) -> kv.add(k + "=" + v));
            b.append(" (").append(String.join(", ", kv)).append(')');
        }
        return b.toString();
    }

    /** The fields docker's --format sees (Go's events.Message). */
    static Map<String, Object> row(Event e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Status", e.type().equals("container") ? e.action() : "");
        m.put("ID", e.type().equals("container") ? e.actorId() : "");
        m.put("From", e.from() == null ? "" : e.from());
        m.put("Type", e.type());
        m.put("Action", e.action());
        m.put("Actor", Map.of("ID", e.actorId(), "Attributes", new java.util.TreeMap<>(e.attributes())));
        m.put("Scope", "local");
        m.put("Time", e.timeNano() / 1_000_000_000L);
        m.put("TimeNano", e.timeNano());
        return m;
    }

    static int prune(Cli cli, List<String> args, String cmd) {
        Flags f = new Flags(cmd + " [OPTIONS]", "Remove all stopped containers")
                .value("filter", '\0', "filter", "Provide filter values (e.g. \"until=<timestamp>\")")
                .bool("force", 'f', "Do not prompt for confirmation");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 0, 0);
        if (!p.bool("force")) {
            if (!cli.confirm("WARNING! This will remove all stopped containers.")) return 0;
        }
        PruneReport r = cli.client().containers().prune(Cli.filters(p.values("filter")));
        if (!r.deleted().isEmpty()) {
            cli.out.println("Deleted Containers:");
            for (String id : r.deleted()) cli.out.println(id);
            cli.out.println();
        }
        cli.out.println("Total reclaimed space: " + Units.humanSize(r.spaceReclaimed()));
        return 0;
    }

    /** {@code berth system check}: ✓/✗ per check, the orphans cleaned, exit 1 when a required check failed. */
    static int systemCheck(Cli cli, List<String> args, String cmd) {
        Flags f = new Flags(cmd, "Check the host for running containers and clean up orphans");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 0, 0);
        io.berth.api.container.SystemCheckReport r = cli.client().containers().systemCheck();
        for (var c : r.checks())
            cli.out.println((c.ok() ? "✓ " : "✗ ") + c.name() + ": " + c.detail() + (c.ok() || c.required() ? "" : " (optional)"));
        if (r.cleaned().isEmpty()) cli.out.println("orphans: none");
        else for (String l : r.cleaned()) cli.out.println("cleaned: " + l);
        return r.ok() ? 0 : 1;
    }

    static int systemUsage(Cli cli, List<String> args) {
        String usage = "\nUsage:  berth system COMMAND\n\nManage Berth\n\nCommands:\n  check       Check the host and clean up orphans\n";
        if (args.isEmpty() || args.getFirst().equals("--help") || args.getFirst().equals("-h")) {
            cli.out.print(usage);
            return 0;
        }
        throw new UsageException("berth system: '" + args.getFirst() + "' is not a berth system command.\nSee 'berth system --help'", 1);
    }
}
