package io.berth.cli;

import io.berth.client.BerthClient;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * What a verb runs with: the standard streams, the environment, and the daemon connection made on
 * first use (so {@code --help}, {@code version --client} and usage errors never touch the socket).
 */
final class Cli {
    final PrintStream out;
    final PrintStream err;
    final InputStream in;
    final Map<String, String> env;
    final DaemonLocator.Target target;
    private final boolean stdoutTty, stdinTty;
    private BerthClient client;

    Cli(PrintStream out, PrintStream err, InputStream in, Map<String, String> env, DaemonLocator.Target target,
        boolean stdoutTty, boolean stdinTty) {
        this.out = out; this.err = err; this.in = in; this.env = env; this.target = target;
        this.stdoutTty = stdoutTty; this.stdinTty = stdinTty;
    }

    BerthClient client() {
        if (client == null) client = DaemonLocator.connect(target, env, err);
        return client;
    }

    boolean stdoutIsTerminal() { return stdoutTty; }

    boolean stdinIsTerminal() { return stdinTty; }

    /** Parses a verb's flags; prints help and returns null on --help. */
    Flags.Parsed parse(Flags flags, List<String> args) {
        Flags.Parsed p;
        try {
            p = flags.parse(args);
        } catch (UsageException e) {
            throw new UsageException(e.getMessage() + "\nSee '" + commandOf(flags) + " --help'.", e.exitCode());
        }
        if (p.help()) {
            out.print(flags.help());
            return null;
        }
        return p;
    }

    /** Docker's argument-count errors (exit status 1): "\"berth rmi\" requires at least 1 argument." */
    static void requireArgs(Flags flags, Flags.Parsed p, int min, int max) {
        int n = p.args().size();
        String what = null;
        if (min == max && n != min && max > 0) what = "requires exactly " + min + " argument" + (min == 1 ? "" : "s");
        else if (n < min) what = "requires at least " + min + " argument" + (min == 1 ? "" : "s");
        else if (n > max) what = max == 0 ? "accepts no arguments" : "requires at most " + max + " argument" + (max == 1 ? "" : "s");
        if (what != null) {
            String cmd = commandOf(flags);
            throw new UsageException("\"" + cmd + "\" " + what + ".\nSee '" + cmd + " --help'.\n\nUsage:  " + flags.usage()
                    + "\n", 1);
        }
    }

    private static String commandOf(Flags flags) {
        String u = flags.usage();
        int cut = u.indexOf(" [");
        if (cut < 0) cut = u.indexOf(" IMAGE");
        if (cut < 0) cut = u.indexOf(" SOURCE");
        return cut < 0 ? u : u.substring(0, cut);
    }

    /**
     * docker's prune prompt: prints {@code warning} and "Are you sure you want to continue? [y/N] ",
     * reads one line; only "y" or "yes" (any case) confirm, as docker's prompt has it.
     */
    boolean confirm(String warning) {
        out.print(warning + "\nAre you sure you want to continue? [y/N] ");
        out.flush();
        String answer;
        try {
            answer = new java.io.BufferedReader(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8)).readLine();
        } catch (java.io.IOException e) {
            answer = null;
        }
        if (answer == null) return false;
        String a = answer.strip();
        return a.equalsIgnoreCase("y") || a.equalsIgnoreCase("yes");
    }

    /** docker's {@code --filter k=v} (repeatable) as k → values, keys in the order first given. */
    static Map<String, List<String>> filters(List<String> given) {
        Map<String, List<String>> out = new java.util.LinkedHashMap<>();
        for (String filter : given) {
            int eq = filter.indexOf('=');
            if (eq <= 0) throw new CliException("invalid filter '" + filter + "': bad format of filter (expected name=value)");
            out.computeIfAbsent(filter.substring(0, eq), k -> new java.util.ArrayList<>()).add(filter.substring(eq + 1));
        }
        return out;
    }

    /**
     * docker's inspect output: the raw objects as one indented JSON array, or each rendered through
     * {@code --format}; then the errors on stderr. Exit status 1 when any reference failed.
     */
    int printInspected(String format, List<String> raws, List<String> errors) {
        if (format == null || format.isEmpty() || format.equals("json")) {
            out.println(io.berth.client.JsonIndent.indent("[" + String.join(",", raws) + "]", "", "    "));
        } else {
            Template t = Template.parse(format.replace("\\t", "\t").replace("\\n", "\n"));
            for (String raw : raws) {
                Object data;
                try { data = io.berth.client.Json.mapper().readValue(raw, new com.fasterxml.jackson.core.type.TypeReference<Object>() { }); }
                catch (java.io.IOException e) { throw new CliException("inspecting: malformed JSON from daemon: " + e.getMessage()); }
                out.println(t.render(data));
            }
        }
        out.flush();
        errors.forEach(err::println);
        return errors.isEmpty() ? 0 : 1;
    }
}
