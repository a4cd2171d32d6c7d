package io.berth.daemon;

import java.nio.file.Path;

/**
 * {@code berth daemon [--root DIR] [--host unix:///PATH.sock] [--config FILE] [--debug]}.
 *
 * @param configExplicit whether {@code --config} was given: then a missing file is an error,
 *                       while a missing default {@code /etc/berth/daemon.json} just means defaults
 */
public record DaemonOptions(Path root, Path socket, Path config, boolean configExplicit, boolean debug) {
    public static final Path DEFAULT_ROOT = Path.of("/var/lib/berth");
    public static final Path DEFAULT_SOCKET = Path.of("/run/berth/berth.sock");
    public static final Path DEFAULT_CONFIG = Path.of("/etc/berth/daemon.json");

    public static final String USAGE = """
            Usage: berth daemon [OPTIONS]

            Runs berthd, the Berth daemon, serving the Docker Engine API on a unix socket.

            Options:
              --root DIR        state directory (default /var/lib/berth)
              -H, --host URL    socket to listen on, unix:///PATH (default unix:///run/berth/berth.sock)
              --config FILE     daemon configuration (default /etc/berth/daemon.json)
              -D, --debug       debug logging
              -h, --help        print this help
            """;

    /** Thrown for bad command lines; the message says what is wrong, {@link #USAGE} says what is right. */
    public static final class UsageException extends Exception {
        public UsageException(String message) { super(message); }
    }

    /** Parses flags; a leading {@code daemon} word (from {@code berth daemon}) is skipped. */
    public static DaemonOptions parse(String... args) throws UsageException {
        Path root = DEFAULT_ROOT, socket = DEFAULT_SOCKET, config = DEFAULT_CONFIG;
        boolean explicit = false, debug = false;
        int i = args.length > 0 && args[0].equals("daemon") ? 1 : 0;
        for (; i < args.length; i++) {
            String a = args[i], value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) { value = a.substring(eq + 1); a = a.substring(0, eq); }
            switch (a) {
                case "--root", "--data-root" -> root = Path.of(nonEmpty(a, value != null ? value : next(args, ++i, a)));
                case "-H", "--host" -> socket = unixSocket(value != null ? value : next(args, ++i, a));
                case "--config", "--config-file" -> {
                    config = Path.of(nonEmpty(a, value != null ? value : next(args, ++i, a)));
                    explicit = true;
                }
                case "-D", "--debug" -> debug = true;
                case "-h", "--help" -> throw new UsageException(null);
                default -> throw new UsageException("unknown flag: " + args[i]);
            }
        }
        return new DaemonOptions(root.toAbsolutePath().normalize(), socket, config, explicit, debug);
    }

    /** Only unix sockets: berthd never listens on TCP (that would be root over the network). */
    static Path unixSocket(String host) throws UsageException {
        if (!host.startsWith("unix://"))
            throw new UsageException("invalid --host " + host + ": berthd listens only on unix sockets (unix:///path/to.sock)");
        String path = host.substring("unix://".length());
        if (!path.startsWith("/")) throw new UsageException("invalid --host " + host + ": the socket path must be absolute");
        return Path.of(path).normalize();
    }

    private static String next(String[] args, int i, String flag) throws UsageException {
        if (i >= args.length) throw new UsageException("flag needs an argument: " + flag);
        return args[i];
    }

    private static String nonEmpty(String flag, String v) throws UsageException {
        if (v.isEmpty()) throw new UsageException("flag needs a non-empty argument: " + flag);
        return v;
    }
}
