package io.berth.engine.runtime;

import java.nio.file.Path;

/**
 * The runtime's own files for one container, under {@code containerDir/ID}: the pid files, the name of
 * the runtime that created it (so later calls and a restarted daemon use the same binary and root),
 * and one directory per exec session. The bundle and the log live wherever the caller puts them.
 */
public record ContainerFiles(Path dir) {
    public static ContainerFiles of(RuntimeConfig cfg, String id) { return new ContainerFiles(cfg.containerDir().resolve(id)); }

    public Path conmonPidFile() { return dir.resolve("conmon.pid"); }

    public Path pidFile() { return dir.resolve("pid"); }

    /** Holds the runtime name ("runc") the container was created with. */
    public Path runtimeFile() { return dir.resolve("runtime"); }

    /** An exec session's directory: process.json, pid, log, exit/, and conmon's ctl, winsz and attach. */
    public Path execDir(String execId) { return dir.resolve("exec").resolve(execId); }
}
