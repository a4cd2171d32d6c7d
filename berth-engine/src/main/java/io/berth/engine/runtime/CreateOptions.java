package io.berth.engine.runtime;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How conmon should run a container's init process. Build with {@link #defaults} and the {@code withX}
 * copies.
 *
 * @param runtime          runtime name from {@link RuntimeConfig#runtimes()}, null for the default
 * @param terminal         allocate a pty (conmon holds the master; stdout and stderr are one stream)
 * @param openStdin        keep a stdin pipe that attach clients write to (Docker's OpenStdin)
 * @param stdinOnce        close the container's stdin when the first attach client half-closes or
 *                         leaves (Docker's StdinOnce); false passes conmon {@code --leave-stdin-open}
 * @param logPath          the k8s-file log conmon writes
 * @param exitDir          conmon writes the exit code to {@code exitDir/ID}
 * @param socketDir        conmon's {@code --socket-dir-path}; the attach socket is {@code socketDir/ID/attach}
 * @param conmonPidFile    where conmon writes its daemon pid
 * @param containerPidFile where the runtime writes the init pid
 * @param logSizeMax       conmon {@code --log-size-max} in bytes, or 0 for unlimited
 */
public record CreateOptions(String runtime, boolean terminal, boolean openStdin, boolean stdinOnce, Path logPath,
                            Path exitDir, Path socketDir, Path conmonPidFile, Path containerPidFile, long logSizeMax) {
    public CreateOptions {
        Objects.requireNonNull(logPath, "logPath");
        Objects.requireNonNull(exitDir, "exitDir");
        Objects.requireNonNull(socketDir, "socketDir");
        Objects.requireNonNull(conmonPidFile, "conmonPidFile");
        Objects.requireNonNull(containerPidFile, "containerPidFile");
    }

    /** No terminal, no stdin, the default runtime, every file in the places {@link ContainerFiles} names. */
    public static CreateOptions defaults(RuntimeConfig cfg, String id) {
        ContainerFiles f = ContainerFiles.of(cfg, id);
        return new CreateOptions(null, false, false, false, cfg.logDir().resolve(id + ".log"), cfg.exitDir(), cfg.socketDir(),
                f.conmonPidFile(), f.pidFile(), 0);
    }

    public CreateOptions withRuntime(String name) {
        return new CreateOptions(name, terminal, openStdin, stdinOnce, logPath, exitDir, socketDir, conmonPidFile, containerPidFile, logSizeMax);
    }

    public CreateOptions withTerminal(boolean t) {
        return new CreateOptions(runtime, t, openStdin, stdinOnce, logPath, exitDir, socketDir, conmonPidFile, containerPidFile, logSizeMax);
    }

    public CreateOptions withStdin(boolean open, boolean once) {
        return new CreateOptions(runtime, terminal, open, once, logPath, exitDir, socketDir, conmonPidFile, containerPidFile, logSizeMax);
    }

    public CreateOptions withLogPath(Path p) {
        return new CreateOptions(runtime, terminal, openStdin, stdinOnce, p, exitDir, socketDir, conmonPidFile, containerPidFile, logSizeMax);
    }

    public CreateOptions withLogSizeMax(long bytes) {
        return new CreateOptions(runtime, terminal, openStdin, stdinOnce, logPath, exitDir, socketDir, conmonPidFile, containerPidFile, bytes);
    }
}
