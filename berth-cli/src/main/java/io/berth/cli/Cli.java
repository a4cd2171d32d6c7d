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
}
