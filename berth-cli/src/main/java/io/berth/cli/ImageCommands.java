package io.berth.cli;

import io.berth.api.BerthException;
import io.berth.api.image.HistoryEntry;
import io.berth.api.image.ImageListOptions;
import io.berth.api.image.ImageSummary;
import io.berth.api.image.PruneOptions;
import io.berth.api.image.PruneReport;
import io.berth.api.image.PullOptions;
import io.berth.api.image.PullReport;
import io.berth.api.image.RemoveItem;
import io.berth.api.image.RemoveOptions;
import io.berth.client.DaemonException;
import io.berth.spec.image.Platform;
import io.berth.spec.image.Reference;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The image verbs: flags and arguments become Options, the client does the work, this renders. */
final class ImageCommands {
    private ImageCommands() { }

    // ------------------------------------------------------------------ pull

    static int pull(Cli cli, List<String> args, String cmd) {
        Flags f = new Flags(cmd + " [OPTIONS] NAME[:TAG|@DIGEST]", "Download an image from a registry")
                .value("platform", '\0', "string", "Set platform if server is multi-platform capable")
                .bool("quiet", 'q', "Suppress verbose output")
                .bool("all-tags", 'a', "Download all tagged images in the repository (not supported)")
                .bool("disable-content-trust", '\0', "Skip image verification (accepted; berth has no content trust)");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 1, 1);
        if (p.bool("all-tags")) throw new CliException("berth pull: --all-tags is not supported");
        String name = p.args().getFirst();
        Reference ref;
        try { ref = Reference.parseName(name); }
        catch (IllegalArgumentException e) { throw new CliException(e.getMessage()); }
        PullOptions opts = PullOptions.of(name);
        if (p.value("platform") != null) {
            try { opts = opts.withPlatform(Platform.parse(p.value("platform"))); }
            catch (IllegalArgumentException e) { throw new CliException(e.getMessage()); }
        }
        boolean quiet = p.bool("quiet");
        if (!quiet && ref.tag() == null && ref.digest() == null) {
            cli.out.println("Using default tag: latest");
            cli.out.flush();
        }
        ProgressPrinter progress = new ProgressPrinter(cli.out, cli.stdoutIsTerminal());
        PullReport r = cli.client().pullStream(opts, m -> {
            if (!quiet) { progress.accept(m); cli.out.flush(); }
        });
        Reference full = ref.tag() == null && ref.digest() == null ? ref.withTag("latest") : ref;
        cli.out.println(full.toString());
        return r == null ? 1 : 0;
    }

    // ------------------------------------------------------------------ images

    static final String IMAGES_TABLE = "{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
    static final String IMAGES_TABLE_DIGESTS = "{{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
    static final Map<String, String> IMAGE_HEADERS = Map.ofEntries(
            Map.entry("ID", "IMAGE ID"), Map.entry("Repository", "REPOSITORY"), Map.entry("Tag", "TAG"),
            Map.entry("Digest", "DIGEST"), Map.entry("CreatedSince", "CREATED"), Map.entry("CreatedAt", "CREATED AT"),
            Map.entry("Size", "SIZE"), Map.entry("Containers", "CONTAINERS"), Map.entry("SharedSize", "SHARED SIZE"),
            Map.entry("UniqueSize", "UNIQUE SIZE"), Map.entry("VirtualSize", "VIRTUAL SIZE"));

    static int images(Cli cli, List<String> args, String cmd) {
        Flags f = new Flags(cmd + " [OPTIONS] [REPOSITORY[:TAG]]", "List images")
                .bool("all", 'a', "Show all images (default hides intermediate images)")
                .bool("digests", '\0', "Show digests")
                .value("filter", 'f', "filter", "Filter output based on conditions provided")
                .value("format", '\0', "string", "Format output using a custom template:\n"
                        + "'table':            Print output in table format with column headers (default)\n"
                        + "'table TEMPLATE':   Print output in table format using the given Go template\n"
                        + "'json':             Print in JSON format\n"
                        + "'TEMPLATE':         Print output using the given Go template")
                .bool("no-trunc", '\0', "Don't truncate output")
                .bool("quiet", 'q', "Only show image IDs");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 0, 1);
        List<String> refs = new ArrayList<>(), labels = new ArrayList<>();
        Boolean dangling = null;
        for (String filter : p.values("filter")) {
            int eq = filter.indexOf('=');
            if (eq <= 0) throw new CliException("invalid filter '" + filter + "': want key=value");
            String k = filter.substring(0, eq), v = filter.substring(eq + 1);
            switch (k) {
                case "reference" -> refs.add(v);
                case "label" -> labels.add(v);
                case "dangling" -> {
                    if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false") && !v.equals("1") && !v.equals("0"))
                        throw new CliException("invalid filter 'dangling=" + v + "'");
                    dangling = v.equalsIgnoreCase("true") || v.equals("1");
                }
                default -> throw new CliException("invalid filter '" + k + "' (berth supports reference, dangling, label)");
            }
        }
        if (!p.args().isEmpty()) refs.add(p.args().getFirst());
        List<ImageSummary> images = cli.client().list(new ImageListOptions(p.bool("all"), refs, dangling, labels));
        boolean trunc = !p.bool("no-trunc");
        List<Map<String, Object>> rows = imageRows(images, p.bool("digests"), trunc, Instant.now());
        String format = p.value("format");
        if (p.bool("quiet")) format = "{{.ID}}";
        else if (format == null || format.isEmpty() || format.equals("table"))
            format = "table " + (p.bool("digests") ? IMAGES_TABLE_DIGESTS : IMAGES_TABLE);
        cli.out.print(Formatter.render(format, IMAGES_TABLE, rows, IMAGE_HEADERS));
        return 0;
    }

    /** One row per repository:tag (and per digest with --digests), as docker's image formatter makes them. */
    static List<Map<String, Object>> imageRows(List<ImageSummary> images, boolean digests, boolean trunc, Instant now) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ImageSummary i : images) {
            if (i.repoTags().isEmpty() && i.repoDigests().isEmpty()) {
                rows.add(imageRow(i, "<none>", "<none>", "<none>", trunc, now));
                continue;
            }
            Map<String, List<String>> repoTags = new LinkedHashMap<>(), repoDigests = new LinkedHashMap<>();
            for (String t : i.repoTags()) {
                try {
                    Reference r = Reference.parseName(t);
                    if (r.tag() != null) repoTags.computeIfAbsent(r.familiarName(), k -> new ArrayList<>()).add(r.tag());
                } catch (IllegalArgumentException ignored) { /* docker skips what it cannot parse */ }
            }
            for (String d : i.repoDigests()) {
                try {
                    Reference r = Reference.parseName(d);
                    if (r.digest() != null) repoDigests.computeIfAbsent(r.familiarName(), k -> new ArrayList<>()).add(r.digest().toString());
                } catch (IllegalArgumentException ignored) { }
            }
            for (Map.Entry<String, List<String>> e : repoTags.entrySet()) {
                List<String> ds = repoDigests.remove(e.getKey());
                if (!digests) ds = null;
                for (String tag : e.getValue()) {
                    if (ds == null || ds.isEmpty()) rows.add(imageRow(i, e.getKey(), tag, "<none>", trunc, now));
                    else for (String d : ds) rows.add(imageRow(i, e.getKey(), tag, d, trunc, now));
                }
            }
            for (Map.Entry<String, List<String>> e : repoDigests.entrySet()) {
                if (!digests) rows.add(imageRow(i, e.getKey(), "<none>", "<none>", trunc, now));
                else for (String d : e.getValue()) rows.add(imageRow(i, e.getKey(), "<none>", d, trunc, now));
            }
        }
        return rows;
    }

    private static Map<String, Object> imageRow(ImageSummary i, String repo, String tag, String digest, boolean trunc, Instant now) {
        Map<String, Object> m = new TreeMap<>();
        m.put("Containers", i.containers() < 0 ? "N/A" : Integer.toString(i.containers()));
        m.put("CreatedAt", goTime(i.created()));
        m.put("CreatedSince", since(i.created(), now));
        m.put("Digest", digest);
        m.put("ID", trunc ? i.id().shortHex() : i.id().toString());
        m.put("Repository", repo);
        m.put("SharedSize", "N/A");
        m.put("Size", Units.humanSize(i.size(), 3));
        m.put("Tag", tag);
        m.put("UniqueSize", "N/A");
        m.put("VirtualSize", Units.humanSize(i.size(), 3));
        return m;
    }

    static String since(Instant created, Instant now) {
        if (created == null || created.getEpochSecond() <= 0) return "N/A";
        return Units.humanDuration(Duration.between(created, now)) + " ago";
    }

    /** Go's time.Time.String() for a whole-second time in the local zone: "2026-11-23 13:37:15 +0000 UTC". */
    static String goTime(Instant t) {
        if (t == null) return "";
        ZonedDateTime z = t.atZone(ZoneId.systemDefault());
        int off = z.getOffset().getTotalSeconds();
        String sign = off < 0 ? "-" : "+";
        off = Math.abs(off);
        String zone = off == 0 ? "UTC" : z.getZone().getId();
        return String.format("%04d-%02d-%02d %02d:%02d:%02d %s%02d%02d %s", z.getYear(), z.getMonthValue(), z.getDayOfMonth(),
                z.getHour(), z.getMinute(), z.getSecond(), sign, off / 3600, off % 3600 / 60, zone);
    }

    // ------------------------------------------------------------------ rmi, tag

    static int rmi(Cli cli, List<String> args, String cmd) {
        Flags f = new Flags(cmd + " [OPTIONS] IMAGE [IMAGE...]", "Remove one or more images")
                .bool("force", 'f', "Force removal of the image")
                .bool("no-prune", '\0', "Do not delete untagged parents");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 1, Integer.MAX_VALUE);
        RemoveOptions opts = new RemoveOptions(p.bool("force"), p.bool("no-prune"));
        int status = 0;
        for (String ref : p.args()) {
            try {
                for (RemoveItem item : cli.client().remove(ref, opts)) {
                    if (item.untagged() != null) cli.out.println("Untagged: " + item.untagged());
                    if (item.deleted() != null) cli.out.println("Deleted: " + item.deleted());
                }
            } catch (DaemonException e) {
                cli.out.flush();
                cli.err.println("Error response from daemon: " + e.getMessage());
                status = 1;
            }
        }
        return status;
    }

    static int tag(Cli cli, List<String> args, String cmd) {
        Flags f = new Flags(cmd + " SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]", "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 2, 2);
        cli.client().tag(p.args().get(0), p.args().get(1));
        return 0;
    }

    // ------------------------------------------------------------------ inspect, history

    static int inspect(Cli cli, List<String> args) {
        Flags f = new Flags("berth image inspect [OPTIONS] IMAGE [IMAGE...]", "Display detailed information on one or more images")
                .value("format", 'f', "string", "Format output using a custom template:\n'json': Print in JSON format\n'TEMPLATE': Print output using the given Go template");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 1, Integer.MAX_VALUE);
        List<String> raws = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (String ref : p.args()) {
            try { raws.add(cli.client().inspectRaw(ref)); }
            catch (DaemonException e) {
                if (e.kind() != BerthException.Kind.NOT_FOUND) throw e;
                errors.add("Error response from daemon: " + e.getMessage());
            }
        }
        return cli.printInspected(p.value("format"), raws, errors);
    }

    static final String HISTORY_TABLE = "{{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";
    static final Map<String, String> HISTORY_HEADERS = Map.of("ID", "IMAGE", "CreatedSince", "CREATED",
            "CreatedAt", "CREATED AT", "CreatedBy", "CREATED BY", "Size", "SIZE", "Comment", "COMMENT");

    static int history(Cli cli, List<String> args, String cmd) {
        Flags f = new Flags(cmd + " [OPTIONS] IMAGE", "Show the history of an image")
                .value("format", '\0', "string", "Format output using a custom template")
                .bool("human", 'H', "Print sizes and dates in human readable format (default true)")
                .bool("no-trunc", '\0', "Don't truncate output")
                .bool("quiet", 'q', "Only show image IDs");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 1, 1);
        boolean human = !p.has("human") || p.bool("human");
        boolean trunc = !p.bool("no-trunc");
        Instant now = Instant.now();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (HistoryEntry h : cli.client().history(p.args().getFirst())) rows.add(historyRow(h, human, trunc, now));
        String format = p.value("format");
        if (p.bool("quiet")) format = "{{.ID}}";
        else if (format == null || format.isEmpty() || format.equals("table")) format = "table " + HISTORY_TABLE;
        cli.out.print(Formatter.render(format, HISTORY_TABLE, rows, HISTORY_HEADERS));
        return 0;
    }

    static Map<String, Object> historyRow(HistoryEntry h, boolean human, boolean trunc, Instant now) {
        Map<String, Object> m = new TreeMap<>();
        String id = h.id() == null ? "<missing>" : h.id();
        if (trunc && id.startsWith("sha256:")) id = id.substring(7, Math.min(id.length(), 19));
        m.put("ID", id);
        m.put("CreatedSince", human ? since(h.created(), now) : h.created() == null ? "" : h.created().toString());
        m.put("CreatedAt", h.created() == null ? "" : h.created().toString());
        String by = h.createdBy() == null ? "" : h.createdBy().replace('\t', ' ');
        m.put("CreatedBy", trunc ? Units.ellipsis(by, 45) : by);
        m.put("Size", human ? Units.humanSize(h.size(), 3) : Long.toString(h.size()));
        m.put("Comment", h.comment() == null ? "" : h.comment());
        return m;
    }

    // ------------------------------------------------------------------ save, load

    static int save(Cli cli, List<String> args, String cmd) {
        Flags f = new Flags(cmd + " [OPTIONS] IMAGE [IMAGE...]", "Save one or more images to a tar archive (streamed to STDOUT by default)")
                .value("output", 'o', "string", "Write to a file, instead of STDOUT");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 1, Integer.MAX_VALUE);
        String output = p.value("output");
        if (output == null || output.isEmpty()) {
            if (cli.stdoutIsTerminal()) throw new CliException("cowardly refusing to save to a terminal. Use the -o flag or redirect");
            cli.out.flush();
            cli.client().save(p.args(), cli.out);
            cli.out.flush();
            return 0;
        }
        // Write next to the target and rename, so a failed save never leaves a truncated archive under the name.
        Path target = Path.of(output).toAbsolutePath();
        Path tmp;
        try { tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp"); }
        catch (IOException e) { throw new CliException("failed to save image: invalid output path: " + e.getMessage()); }
        try (OutputStream o = Files.newOutputStream(tmp)) {
            cli.client().save(p.args(), o);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new CliException("failed to save image: " + e.getMessage());
        } catch (RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
        try { Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE); }
        catch (IOException e) { deleteQuietly(tmp); throw new CliException("failed to save image: " + e.getMessage()); }
        return 0;
    }

    private static void deleteQuietly(Path p) {
        try { Files.deleteIfExists(p); } catch (IOException ignored) { }
    }

    static int load(Cli cli, List<String> args, String cmd) {
        Flags f = new Flags(cmd + " [OPTIONS]", "Load an image from a tar archive or STDIN")
                .value("input", 'i', "string", "Read from tar archive file, instead of STDIN")
                .bool("quiet", 'q', "Suppress the load output");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 0, 0);
        String input = p.value("input");
        InputStream in;
        if (input == null || input.isEmpty()) {
            if (cli.stdinIsTerminal()) throw new CliException("requested load from stdin, but stdin is empty");
            in = cli.in;
        } else {
            try { in = Files.newInputStream(Path.of(input)); }
            catch (NoSuchFileException e) { throw new CliException("open " + input + ": no such file or directory"); }
            catch (IOException e) { throw new CliException("open " + input + ": " + e.getMessage()); }
        }
        boolean quiet = p.bool("quiet") || !cli.stdoutIsTerminal();
        ProgressPrinter progress = new ProgressPrinter(cli.out, cli.stdoutIsTerminal());
        try (in) {
            cli.client().load(in, quiet, m -> { progress.accept(m); cli.out.flush(); });
        } catch (IOException e) {
            throw new CliException("reading " + (input == null ? "stdin" : input) + ": " + e.getMessage());
        }
        return 0;
    }

    // ------------------------------------------------------------------ prune

    static int prune(Cli cli, List<String> args) {
        Flags f = new Flags("berth image prune [OPTIONS]", "Remove unused images")
                .bool("all", 'a', "Remove all unused images, not just dangling ones")
                .value("filter", '\0', "filter", "Provide filter values (e.g. \"label=<key>=<value>\")")
                .bool("force", 'f', "Do not prompt for confirmation");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 0, 0);
        List<String> labels = new ArrayList<>();
        for (String filter : p.values("filter")) {
            if (!filter.startsWith("label=")) throw new CliException("invalid filter '" + filter + "' (berth supports label=)");
            labels.add(filter.substring(6));
        }
        boolean all = p.bool("all");
        if (!p.bool("force")) {
            if (!cli.confirm(all ? "WARNING! This will remove all images without at least one container associated to them."
                    : "WARNING! This will remove all dangling images.")) {
                cli.out.println("Total reclaimed space: 0B");
                return 0;
            }
        }
        PruneReport r = cli.client().prune(new PruneOptions(all, labels));
        if (!r.deleted().isEmpty()) {
            cli.out.println("Deleted Images:");
            for (RemoveItem item : r.deleted()) {
                if (item.untagged() != null) cli.out.println("untagged: " + item.untagged());
                if (item.deleted() != null) cli.out.println("deleted: " + item.deleted());
            }
            cli.out.println();
        }
        cli.out.println("Total reclaimed space: " + Units.humanSize(r.spaceReclaimed()));
        return 0;
    }

    // ------------------------------------------------------------------ mount, unmount (berth extensions)

    static int mount(Cli cli, List<String> args) {
        Flags f = new Flags("berth image mount IMAGE [IMAGE...]", "Mount an image's root filesystem read-only and print the mountpoint");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 1, Integer.MAX_VALUE);
        for (String ref : p.args()) cli.out.println(cli.client().mount(ref));
        return 0;
    }

    static int unmount(Cli cli, List<String> args) {
        Flags f = new Flags("berth image unmount IMAGE [IMAGE...]", "Unmount an image's root filesystem");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 1, Integer.MAX_VALUE);
        for (String ref : p.args()) {
            cli.client().unmount(ref);
            cli.out.println(ref);
        }
        return 0;
    }
}
