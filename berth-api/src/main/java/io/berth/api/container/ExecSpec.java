package io.berth.api.container;

import java.util.List;

/** {@code docker exec} options; null user/workingDir use the container's. */
public record ExecSpec(List<String> cmd, List<String> env, String user, String workingDir, boolean tty,
                       boolean attachStdin, boolean attachStdout, boolean attachStderr, boolean privileged,
                       List<Integer> consoleSize) {
    public static ExecSpec of(List<String> cmd) {
        return new ExecSpec(cmd, List.of(), null, null, false, false, true, true, false, null);
    }
}
