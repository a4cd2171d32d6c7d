package io.berth.api.container;

import java.util.List;
import java.util.Map;

/**
 * What {@code docker create} asks for, in Berth's terms. Null means "not given" (Docker's rules for
 * defaults apply: the image's Cmd, Entrypoint, Env, WorkingDir, User); an empty list is explicit.
 *
 * @param name        container name without "/", or null for a generated one
 * @param image       image reference; NOT_FOUND "No such image: X" if it is not present
 * @param entrypoint  overrides the image's entrypoint (and then drops the image's Cmd, as Docker)
 * @param env         KEY=VALUE entries added to the image's
 * @param stopSignal  e.g. "SIGTERM" (image's StopSignal or SIGTERM if null)
 * @param stopTimeout seconds between the stop signal and SIGKILL (10 if null)
 * @param volumes     anonymous volume destinations (Config.Volumes, {@code -v /path}) added to the image's
 * @param network     ports, DNS, hosts and endpoint settings; {@link NetworkSpec#NONE} when not given
 */
public record ContainerSpec(String name, String image, List<String> cmd, List<String> entrypoint, List<String> env,
                            String workingDir, String user, String hostname, Map<String, String> labels,
                            boolean tty, boolean openStdin, boolean stdinOnce,
                            String stopSignal, Integer stopTimeout, HostSpec host,
                            List<String> volumes, NetworkSpec network) {

    public ContainerSpec {
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
        if (network == null) network = NetworkSpec.NONE;
    }

    /** The spec without volumes or networking settings. */
    public ContainerSpec(String name, String image, List<String> cmd, List<String> entrypoint, List<String> env,
                         String workingDir, String user, String hostname, Map<String, String> labels,
                         boolean tty, boolean openStdin, boolean stdinOnce,
                         String stopSignal, Integer stopTimeout, HostSpec host) {
        this(name, image, cmd, entrypoint, env, workingDir, user, hostname, labels, tty, openStdin, stdinOnce, stopSignal, stopTimeout, host, List.of(), NetworkSpec.NONE);
    }

    public static ContainerSpec of(String image, List<String> cmd) {
        return new ContainerSpec(null, image, cmd, null, null, null, null, null, Map.of(), false, false, false, null, null, HostSpec.DEFAULT);
    }

    public ContainerSpec withName(String n) {
        return new ContainerSpec(n, image, cmd, entrypoint, env, workingDir, user, hostname, labels, tty, openStdin, stdinOnce, stopSignal, stopTimeout, host, volumes, network);
    }

    public ContainerSpec withHost(HostSpec h) {
        return new ContainerSpec(name, image, cmd, entrypoint, env, workingDir, user, hostname, labels, tty, openStdin, stdinOnce, stopSignal, stopTimeout, h, volumes, network);
    }

    public ContainerSpec withTty(boolean t, boolean stdin) {
        return new ContainerSpec(name, image, cmd, entrypoint, env, workingDir, user, hostname, labels, t, stdin, stdin, stopSignal, stopTimeout, host, volumes, network);
    }

    public ContainerSpec withNetwork(NetworkSpec n) {
        return new ContainerSpec(name, image, cmd, entrypoint, env, workingDir, user, hostname, labels, tty, openStdin, stdinOnce, stopSignal, stopTimeout, host, volumes, n);
    }

    public ContainerSpec withVolumes(List<String> v) {
        return new ContainerSpec(name, image, cmd, entrypoint, env, workingDir, user, hostname, labels, tty, openStdin, stdinOnce, stopSignal, stopTimeout, host, v, network);
    }
}
