package io.berth.cli;

import io.berth.api.BerthException;
import io.berth.client.DaemonException;
import io.berth.client.UnreachableException;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.BufferedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The berth CLI: {@code berth [-H HOST] VERB [OPTIONS] [ARGS]}, docker's verbs, flags and output
 * for images. {@code berth daemon} is handled by the launcher script (it needs the daemon's
 * classpath, which this process deliberately does not load).
 *
 * <p>Exit status as docker: 0 success, 1 failure (daemon error, local error, wrong number of
 * arguments), 125 a flag the command does not accept.
 */
public final class Main {
    private Main() { }

    static final String USAGE = """

            Usage:  berth [OPTIONS] COMMAND

            A container engine that speaks the Docker Engine API

            Common Commands:
              run         Create and run a new container from an image
              exec        Execute a command in a running container
              ps          List containers
              pull        Download an image from a registry
              images      List images
              login       Log in to a registry
              logout      Log out from a registry
              version     Show the berth version information
              info        Display system-wide information

            Management Commands:
              container   Manage containers
              image       Manage images
              network     Manage networks
              daemon      Run berthd (berth daemon --help)
              system      Check the host and clean up orphans (berth system check)
              volume      Manage volumes

            Commands:
              attach      Attach local standard input, output, and error streams to a running container
              cp          Copy files/folders between a container and the local filesystem
              create      Create a new container
              events      Get real time events from the server
              inspect     Return low-level information on Docker objects
              kill        Kill one or more running containers
              logs        Fetch the logs of a container
              pause       Pause all processes within one or more containers
              port        List port mappings or a specific mapping for the container
              rename      Rename a container
              restart     Restart one or more containers
              rm          Remove one or more containers
              start       Start one or more stopped containers
              stats       Display a live stream of container(s) resource usage statistics
              stop        Stop one or more running containers
              top         Display the running processes of a container
              unpause     Unpause all processes within one or more containers
              update      Update configuration of one or more containers
              wait        Block until one or more containers stop, then print their exit codes
              history     Show the history of an image
              load        Load an image from a tar archive or STDIN
              rmi         Remove one or more images
              save        Save one or more images to a tar archive (streamed to STDOUT by default)
              tag         Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE

            Global Options:
              -H, --host string   Daemon socket to connect to (default: $BERTH_HOST, else unix:///run/berth/berth.sock)
              -h, --help          Print usage
              -v, --version       Print version information and quit

            Run 'berth COMMAND --help' for more information on a command.
            """;

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16), false, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        int status;
        if (args.length == 1 && args[0].equals("__aot-train")) status = Trainer.train();
        else status = run(args, out, err, System.in, System.getenv(), null);
        out.flush();
        err.flush();
        System.exit(status);
    }

    /**
     * Runs one command line; returns the exit status. {@code tty} forces terminal detection for
     * tests (null: look at the real stdin/stdout).
     */
    static int run(String[] argv, PrintStream out, PrintStream err, InputStream in, Map<String, String> env, Boolean tty) {
        List<String> args = Arrays.asList(argv);
        String host = null;
        int i = 0;
        try {
            for (; i < args.size(); i++) {
                String a = args.get(i);
                if (a.equals("-H") || a.equals("--host")) {
                    if (i + 1 >= args.size()) throw new UsageException("flag needs an argument: --host\nSee 'berth --help'.");
                    host = args.get(++i);
                } else if (a.startsWith("--host=")) host = a.substring(7);
                else if (a.startsWith("-H") && a.length() > 2) host = a.substring(a.charAt(2) == '=' ? 3 : 2);
                else if (a.equals("-h") || a.equals("--help")) { out.print(USAGE); return 0; }
                else if (a.equals("-v") || a.equals("--version")) { out.println("berth version " + SystemCommands.clientVersion()); return 0; }
                else if (a.equals("-D") || a.equals("--debug")) { /* accepted for docker compatibility */ }
                else if (a.startsWith("-")) throw new UsageException("unknown flag: " + a + "\nSee 'berth --help'.");
                else break;
            }
            if (i >= args.size()) { out.print(USAGE); return 0; }
            String verb = args.get(i);
            List<String> rest = args.subList(i + 1, args.size());
            boolean outTty = tty != null ? tty : Terminal.isTerminal(1);
            boolean inTty = tty != null ? tty : Terminal.isTerminal(0);
            Cli cli = new Cli(out, err, in, env, DaemonLocator.resolve(host, env), outTty, inTty);
            return dispatch(cli, verb, rest);
        } catch (UsageException e) {
            err.println(e.getMessage());
            return e.exitCode();
        } catch (DaemonException e) {
            err.println("Error response from daemon: " + e.getMessage());
            return 1;
        } catch (UnreachableException | CliException e) {
            err.println(e.getMessage());
            return 1;
        } catch (BerthException e) {
            err.println(e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            // A bug, not a user error: say so briefly; BERTH_DEBUG=1 shows where.
            err.println("berth: internal error: " + e);
            if ("1".equals(env.get("BERTH_DEBUG"))) e.printStackTrace(err);
            return 1;
        } finally {
            out.flush();
        }
    }

    static int dispatch(Cli cli, String verb, List<String> args) {
        return switch (verb) {
            case "pull" -> ImageCommands.pull(cli, args, "berth pull");
            case "images" -> ImageCommands.images(cli, args, "berth images");
            case "rmi" -> ImageCommands.rmi(cli, args, "berth rmi");
            case "tag" -> ImageCommands.tag(cli, args, "berth tag");
            case "history" -> ImageCommands.history(cli, args, "berth history");
            case "save" -> ImageCommands.save(cli, args, "berth save");
            case "load" -> ImageCommands.load(cli, args, "berth load");
            case "image" -> image(cli, args);
            case "container" -> container(cli, args);
            case "volume" -> VolumeCommands.volume(cli, args);
            case "run" -> ContainerCommands.run(cli, args, "berth run");
            case "create" -> ContainerCommands.create(cli, args, "berth create");
            case "start" -> ContainerCommands.start(cli, args, "berth start");
            case "stop" -> ContainerCommands.stop(cli, args, "berth stop", false);
            case "restart" -> ContainerCommands.stop(cli, args, "berth restart", true);
            case "kill" -> ContainerCommands.kill(cli, args, "berth kill");
            case "rm" -> ContainerCommands.rm(cli, args, "berth rm");
            case "ps" -> ContainerCommands.ps(cli, args, "berth ps");
            case "logs" -> ContainerCommands.logs(cli, args, "berth logs");
            case "exec" -> ContainerCommands.exec(cli, args, "berth exec");
            case "inspect" -> ContainerCommands.inspect(cli, args, "berth inspect", null);
            case "wait" -> ContainerCommands.waitCmd(cli, args, "berth wait");
            case "pause" -> ContainerCommands.pause(cli, args, "berth pause", true);
            case "unpause" -> ContainerCommands.pause(cli, args, "berth unpause", false);
            case "rename" -> ContainerCommands.rename(cli, args, "berth rename");
            case "attach" -> ContainerCommands.attach(cli, args, "berth attach");
            case "stats" -> ResourceCommands.stats(cli, args, "berth stats");
            case "top" -> ResourceCommands.top(cli, args, "berth top");
            case "update" -> ResourceCommands.update(cli, args, "berth update");
            case "cp" -> CopyCommand.cp(cli, args, "berth cp");
            case "events" -> EventCommands.events(cli, args, "berth events");
            case "network" -> NetworkCommands.network(cli, args);
            case "port" -> NetworkCommands.port(cli, args, "berth port");
            case "system" -> args.size() >= 1 && args.getFirst().equals("check") ? EventCommands.systemCheck(cli, args.subList(1, args.size()), "berth system check")
                    : EventCommands.systemUsage(cli, args);
            case "login" -> SystemCommands.login(cli, args);
            case "logout" -> SystemCommands.logout(cli, args);
            case "version" -> SystemCommands.version(cli, args);
            case "info" -> SystemCommands.info(cli, args);
            case "daemon" -> throw new CliException("berth daemon is started by the ./berth launcher (it needs the daemon's classpath); run ./berth daemon");
            default -> throw new UsageException("berth: '" + verb + "' is not a berth command.\nSee 'berth --help'", 1);
        };
    }

    private static final String CONTAINER_USAGE = """

            Usage:  berth container COMMAND

            Manage containers

            Commands:
              attach      Attach local standard input, output, and error streams to a running container
              create      Create a new container
              exec        Execute a command in a running container
              inspect     Display detailed information on one or more containers
              kill        Kill one or more running containers
              logs        Fetch the logs of a container
              ls          List containers
              pause       Pause all processes within one or more containers
              prune       Remove all stopped containers
              rename      Rename a container
              restart     Restart one or more containers
              rm          Remove one or more containers
              run         Create and run a new container from an image
              start       Start one or more stopped containers
              stop        Stop one or more running containers
              unpause     Unpause all processes within one or more containers
              wait        Block until one or more containers stop, then print their exit codes

            Run 'berth container COMMAND --help' for more information on a command.
            """;

    private static int container(Cli cli, List<String> args) {
        if (args.isEmpty() || args.getFirst().equals("--help") || args.getFirst().equals("-h")) {
            cli.out.print(CONTAINER_USAGE);
            return 0;
        }
        List<String> rest = args.subList(1, args.size());
        String c = "berth container " + args.getFirst();
        return switch (args.getFirst()) {
            case "run" -> ContainerCommands.run(cli, rest, c);
            case "create" -> ContainerCommands.create(cli, rest, c);
            case "start" -> ContainerCommands.start(cli, rest, c);
            case "stop" -> ContainerCommands.stop(cli, rest, c, false);
            case "restart" -> ContainerCommands.stop(cli, rest, c, true);
            case "kill" -> ContainerCommands.kill(cli, rest, c);
            case "rm", "remove" -> ContainerCommands.rm(cli, rest, c);
            case "ls", "list", "ps" -> ContainerCommands.ps(cli, rest, c);
            case "logs" -> ContainerCommands.logs(cli, rest, c);
            case "exec" -> ContainerCommands.exec(cli, rest, c);
            case "inspect" -> ContainerCommands.inspect(cli, rest, c, "container");
            case "wait" -> ContainerCommands.waitCmd(cli, rest, c);
            case "pause" -> ContainerCommands.pause(cli, rest, c, true);
            case "unpause" -> ContainerCommands.pause(cli, rest, c, false);
            case "rename" -> ContainerCommands.rename(cli, rest, c);
            case "attach" -> ContainerCommands.attach(cli, rest, c);
            case "stats" -> ResourceCommands.stats(cli, rest, c);
            case "top" -> ResourceCommands.top(cli, rest, c);
            case "update" -> ResourceCommands.update(cli, rest, c);
            case "cp" -> CopyCommand.cp(cli, rest, c);
            case "prune" -> EventCommands.prune(cli, rest, c);
            case "port" -> NetworkCommands.port(cli, rest, c);
            default -> throw new UsageException("berth container: '" + args.getFirst() + "' is not a berth container command.\nSee 'berth container --help'", 1);
        };
    }

    private static final String IMAGE_USAGE = """

            Usage:  berth image COMMAND

            Manage images

            Commands:
              history     Show the history of an image
              inspect     Display detailed information on one or more images
              load        Load an image from a tar archive or STDIN
              ls          List images
              mount       Mount an image's root filesystem read-only and print the mountpoint
              prune       Remove unused images
              pull        Download an image from a registry
              rm          Remove one or more images
              save        Save one or more images to a tar archive (streamed to STDOUT by default)
              tag         Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE
              unmount     Unmount an image's root filesystem

            Run 'berth image COMMAND --help' for more information on a command.
            """;

    private static int image(Cli cli, List<String> args) {
        if (args.isEmpty() || args.getFirst().equals("--help") || args.getFirst().equals("-h")) {
            cli.out.print(IMAGE_USAGE);
            return 0;
        }
        List<String> rest = args.subList(1, args.size());
        return switch (args.getFirst()) {
            case "inspect" -> ImageCommands.inspect(cli, rest);
            case "mount" -> ImageCommands.mount(cli, rest);
            case "unmount", "umount" -> ImageCommands.unmount(cli, rest);
            case "ls", "list" -> ImageCommands.images(cli, rest, "berth image ls");
            case "rm", "remove" -> ImageCommands.rmi(cli, rest, "berth image rm");
            case "pull" -> ImageCommands.pull(cli, rest, "berth image pull");
            case "tag" -> ImageCommands.tag(cli, rest, "berth image tag");
            case "history" -> ImageCommands.history(cli, rest, "berth image history");
            case "save" -> ImageCommands.save(cli, rest, "berth image save");
            case "load" -> ImageCommands.load(cli, rest, "berth image load");
            case "prune" -> ImageCommands.prune(cli, rest);
            default -> throw new UsageException("berth image: '" + args.getFirst() + "' is not a berth image command.\nSee 'berth image --help'", 1);
        };
    }
}
