package io.berth.engine.runtime;

/**
 * Runs additional processes in a running container, each under its own monitor, so an exec survives
 * the daemon too and its exit code is recorded.
 *
 * <p>{@code processJson} is a runtime-spec Process object (args, env, cwd, user, terminal, capabilities,
 * ...); its {@code terminal} must match {@link ExecOptions#terminal()}.
 */
public interface ExecRuntime {
    /**
     * Starts the process, attached from its first byte: the returned session's attach is connected
     * before the process runs. Throws INVALID_ARGUMENT ("executable file not found") when it cannot run.
     */
    ExecProcess exec(String containerId, String execId, byte[] processJson, ExecOptions options);

    /** Runs the process without stdin to completion, collecting its output. */
    default ExecResult execAndWait(String containerId, String execId, byte[] processJson) {
        try (ExecProcess p = exec(containerId, execId, processJson, ExecOptions.PLAIN)) {
            return p.collect();
        }
    }

    /** A finished exec: its exit code and output. */
    record ExecResult(int exitCode, byte[] stdout, byte[] stderr) {
        public String stdoutText() { return new String(stdout, java.nio.charset.StandardCharsets.UTF_8); }

        public String stderrText() { return new String(stderr, java.nio.charset.StandardCharsets.UTF_8); }
    }
}
