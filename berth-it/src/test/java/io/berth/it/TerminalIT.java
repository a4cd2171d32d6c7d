package io.berth.it;

import io.berth.it.fixture.CommandResult;
import io.berth.it.fixture.DockerCli;
import io.berth.it.fixture.Proc;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code docker run -it} and {@code docker exec -it} under a real pseudo-terminal (util-linux
 * {@code script} gives the docker CLI a pty as its stdin and stdout, as a user's terminal would),
 * and the exit codes Docker's clients promise: 125 when the container cannot be created, 126 when
 * the command cannot be executed, 127 when it does not exist, the process's own code otherwise.
 */
class TerminalIT extends OnBusyboxDaemon {
    @Test
    void runItTalksToAShellOnATerminalAndReturnsItsExitCode() {
        CommandResult r = underPty("[ -t 0 ] && [ -t 1 ] && echo tty-$((6*7))\nexit 3\n", "run", "-it", "--rm", image, "sh");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
        // the shell's answer, not the terminal's echo of the input ("tty-$((6*7))")
        assertThat(r.stdout()).contains("tty-42");
        assertThat(docker.ok("ps", "-aq").lines()).as("--rm removed it").isEmpty();
    }

    @Test
    void execItTalksToAShellOnATerminalAndReturnsItsExitCode() {
        String id = docker.ok("run", "-d", image, "sleep", "1000").out();
        try {
            CommandResult r = underPty("[ -t 0 ] && echo exec-tty-$((2+3))\nexit 4\n", "exec", "-it", id, "sh");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
            assertThat(r.stdout()).contains("exec-tty-5");
        } finally {
            docker.run("rm", "-f", id);
        }
    }

    @Test
    void exitCodesAreDockers() {
        assertThat(docker.run("run", "--rm", "--no-such-flag", image, "true").exitCode()).as("unknown flag").isEqualTo(125);
        CommandResult net = docker.run("run", "--rm", "--network", "no-such-network", image, "true");
        assertThat(net.exitCode()).as("daemon refuses the create: %s", net).isEqualTo(125);

        CommandResult dir = docker.run("run", "--rm", image, "/etc");
        assertThat(dir.exitCode()).as("a directory as the command: %s", dir).isEqualTo(126);
        CommandResult noExec = docker.run("run", "--rm", image, "/etc/passwd");
        assertThat(noExec.exitCode()).as("a file without +x: %s", noExec).isEqualTo(126);
        assertThat(noExec.stderr()).contains("permission denied");

        CommandResult inPath = docker.run("run", "--rm", image, "no-such-command");
        assertThat(inPath.exitCode()).as(inPath.toString()).isEqualTo(127);
        CommandResult absolute = docker.run("run", "--rm", image, "/no/such/command");
        assertThat(absolute.exitCode()).as(absolute.toString()).isEqualTo(127);

        assertThat(docker.run("run", "--rm", image, "sh", "-c", "exit 42").exitCode()).isEqualTo(42);
        assertThat(docker.ok("ps", "-aq").lines()).as("--rm removed even the ones that could not start").isEmpty();
    }

    @Test
    void aContainerThatCouldNotStartRecordsTheExitCode() {
        String id = docker.ok("create", image, "/etc/passwd").out();
        try {
            assertThat(docker.run("start", id).exitCode()).isNotZero();
            assertThat(docker.ok("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", id).out()).isEqualTo("created 126");
            assertThat(docker.ok("inspect", "-f", "{{.State.Error}}", id).out()).contains("permission denied");
        } finally {
            docker.run("rm", "-f", id);
        }
    }

    /**
     * Runs {@code docker ARGS} with a pseudo-terminal as its stdin and stdout, {@code input} typed into
     * it. {@code script -e} returns the command's exit code.
     */
    private static CommandResult underPty(String input, String... args) {
        List<String> docker = new ArrayList<>(List.of(DockerCli.BINARY.toString()));
        docker.addAll(List.of(args));
        String cmd = docker.stream().map(TerminalIT::shellQuote).collect(Collectors.joining(" "));
        Map<String, String> envs = new LinkedHashMap<>();
        envs.put("DOCKER_HOST", env.daemon.dockerHost());
        envs.put("DOCKER_CONFIG", TerminalIT.docker.configDir().toString());
        envs.put("DOCKER_CLI_HINTS", "false");
        envs.put("DOCKER_CONTEXT", null);
        envs.put("DOCKER_API_VERSION", null);
        envs.put("TERM", "xterm");
        return Proc.run(List.of("script", "-qec", cmd, "/dev/null"), envs, null, Duration.ofSeconds(60),
                input.getBytes(StandardCharsets.UTF_8));
    }

    private static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
