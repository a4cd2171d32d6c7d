package io.berth.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.berth.api.BerthException;
import io.berth.api.volume.VolumeCreateSpec;
import io.berth.api.volume.VolumePruneReport;
import io.berth.client.DaemonException;
import io.berth.client.Json;
import io.berth.client.JsonIndent;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code berth volume create|ls|inspect|rm|prune} with docker's flags and output. */
final class VolumeCommands {
    private VolumeCommands() { }

    static final String USAGE = """

            Usage:  berth volume COMMAND

            Manage volumes

            Commands:
              create      Create a volume
              inspect     Display detailed information on one or more volumes
              ls          List volumes
              prune       Remove unused local volumes
              rm          Remove one or more volumes

            Run 'berth volume COMMAND --help' for more information on a command.
            """;

    static final String LS_TABLE = "{{.Driver}}\t{{.Name}}";
    static final Map<String, String> HEADERS = Map.of("Name", "VOLUME NAME", "Driver", "DRIVER", "Scope", "SCOPE",
            "Mountpoint", "MOUNTPOINT", "Labels", "LABELS", "Links", "LINKS", "Size", "SIZE", "CreatedAt", "CREATED AT");

    static int volume(Cli cli, List<String> args) {
        if (args.isEmpty() || args.getFirst().equals("--help") || args.getFirst().equals("-h")) {
            cli.out.print(USAGE);
            return 0;
        }
        List<String> rest = args.subList(1, args.size());
        return switch (args.getFirst()) {
            case "create" -> create(cli, rest);
            case "ls", "list" -> ls(cli, rest);
            case "inspect" -> inspect(cli, rest);
            case "rm", "remove" -> rm(cli, rest);
            case "prune" -> prune(cli, rest);
            default -> throw new UsageException("berth volume: '" + args.getFirst() + "' is not a berth volume command.\nSee 'berth volume --help'", 1);
        };
    }

    static int create(Cli cli, List<String> args) {
        Flags f = new Flags("berth volume create [OPTIONS] [VOLUME]", "Create a volume")
                .value("driver", 'd', "string", "Specify volume driver name (default \"local\")")
                .value("label", '\0', "list", "Set metadata for a volume")
                .value("name", '\0', "string", "Specify volume name")
                .value("opt", 'o', "map", "Set driver specific options (default map[])");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 0, 1);
        String name = p.args().isEmpty() ? p.value("name") : p.args().getFirst();
        if (!p.args().isEmpty() && p.value("name") != null && !p.value("name").equals(name))
            throw new CliException("conflicting options: either specify --name or provide positional arg, not both");
        JsonNode v = cli.client().volumes().createJson(new VolumeCreateSpec(name, p.value("driver"), pairs(p.values("opt"), "opt"),
                pairs(p.values("label"), "label")));
        cli.out.println(v.path("Name").asText());
        return 0;
    }

    static int ls(Cli cli, List<String> args) {
        Flags f = new Flags("berth volume ls [OPTIONS]", "List volumes")
                .value("filter", 'f', "filter", "Provide filter values (e.g. \"dangling=true\")")
                .value("format", '\0', "string", "Format output using a custom template:\n"
                        + "'table':            Print output in table format with column headers (default)\n"
                        + "'table TEMPLATE':   Print output in table format using the given Go template\n"
                        + "'json':             Print in JSON format\n"
                        + "'TEMPLATE':         Print output using the given Go template")
                .bool("quiet", 'q', "Only display volume names");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 0, 0);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (JsonNode v : cli.client().volumes().listJson(Cli.filters(p.values("filter")))) rows.add(row(v));
        rows.sort(java.util.Comparator.comparing(r -> (String) r.get("Name")));
        String format = p.value("format");
        if (p.bool("quiet")) format = "{{.Name}}";
        else if (format == null || format.isEmpty() || format.equals("table")) format = "table " + LS_TABLE;
        cli.out.print(Formatter.render(format, LS_TABLE, rows, HEADERS));
        return 0;
    }

    /** The fields docker's volume formatter offers. */
    static Map<String, Object> row(JsonNode v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Name", v.path("Name").asText());
        m.put("Driver", v.path("Driver").asText());
        m.put("Scope", v.path("Scope").asText());
        m.put("Mountpoint", v.path("Mountpoint").asText());
        List<String> labels = new ArrayList<>();
        if (v.path("Labels").isObject()) v.path("Labels").fields().forEachRemaining(e -> labels.add(e.getKey() + "=" + e.getValue().asText()));
        m.put("Labels", String.join(",", labels));
        JsonNode usage = v.path("UsageData");
        m.put("Links", usage.isObject() ? usage.path("RefCount").asText() : "N/A");
        m.put("Size", usage.isObject() && usage.path("Size").asLong(-1) >= 0 ? Units.humanSize(usage.path("Size").asLong()) : "N/A");
        m.put("CreatedAt", v.path("CreatedAt").asText());
        return m;
    }

    static int inspect(Cli cli, List<String> args) {
        Flags f = new Flags("berth volume inspect [OPTIONS] VOLUME [VOLUME...]", "Display detailed information on one or more volumes")
                .value("format", 'f', "string", "Format output using a custom template:\n'json': Print in JSON format\n'TEMPLATE': Print output using the given Go template");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 1, Integer.MAX_VALUE);
        List<JsonNode> found = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (String n : p.args()) {
            try { found.add(cli.client().volumes().inspectJson(n)); }
            catch (DaemonException e) {
                if (e.kind() != BerthException.Kind.NOT_FOUND) throw e;
                errors.add("Error response from daemon: " + e.getMessage());
            }
        }
        String format = p.value("format");
        if (format == null || format.isEmpty() || format.equals("json")) {
            cli.out.println(JsonIndent.indent(Json.mapper().createArrayNode().addAll(found).toString(), "", "    "));
        } else {
            Template t = Template.parse(format.replace("\\t", "\t").replace("\\n", "\n"));
            for (JsonNode v : found) {
                Object data;
                try { data = Json.mapper().readValue(v.toString(), new TypeReference<Object>() { }); }
                catch (IOException e) { throw new CliException("inspecting: malformed JSON from daemon: " + e.getMessage()); }
                cli.out.println(t.render(data));
            }
        }
        cli.out.flush();
        errors.forEach(cli.err::println);
        return errors.isEmpty() ? 0 : 1;
    }

    static int rm(Cli cli, List<String> args) {
        Flags f = new Flags("berth volume rm [OPTIONS] VOLUME [VOLUME...]", "Remove one or more volumes. You cannot remove a volume that is in use by a container.")
                .bool("force", 'f', "Force the removal of one or more volumes");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 1, Integer.MAX_VALUE);
        int status = 0;
        for (String n : p.args()) {
            try {
                cli.client().volumes().remove(n, p.bool("force"));
                cli.out.println(n);
            } catch (DaemonException e) {
                cli.out.flush();
                cli.err.println("Error response from daemon: " + e.getMessage());
                status = 1;
            }
        }
        return status;
    }

    static int prune(Cli cli, List<String> args) {
        Flags f = new Flags("berth volume prune [OPTIONS]", "Remove unused local volumes")
                .bool("all", 'a', "Remove all unused volumes, not just anonymous ones")
                .value("filter", '\0', "filter", "Provide filter values (e.g. \"label=<label>\")")
                .bool("force", 'f', "Do not prompt for confirmation");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 0, 0);
        if (!p.bool("force")) {
            if (!cli.confirm("WARNING! This will remove " + (p.bool("all") ? "all" : "anonymous")
                    + " local volumes not used by at least one container.")) return 0;
        }
        Map<String, List<String>> filters = Cli.filters(p.values("filter"));
        if (p.bool("all")) filters.put("all", List.of("true"));
        VolumePruneReport r = cli.client().volumes().prune(filters);
        if (!r.volumesDeleted().isEmpty()) {
            cli.out.println("Deleted Volumes:");
            for (String n : r.volumesDeleted()) cli.out.println(n);
            cli.out.println();
        }
        cli.out.println("Total reclaimed space: " + Units.humanSize(r.spaceReclaimed()));
        return 0;
    }

    private static Map<String, String> pairs(List<String> given, String flag) {
        Map<String, String> out = new TreeMap<>();
        for (String kv : given) {
            int eq = kv.indexOf('=');
            if (flag.equals("opt") && eq <= 0) throw new CliException("invalid argument \"" + kv + "\" for \"-o, --opt\" flag: invalid key value pair format");
            out.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
        }
        return out;
    }
}
