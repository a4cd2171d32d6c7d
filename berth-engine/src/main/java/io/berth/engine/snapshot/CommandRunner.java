package io.berth.engine.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The one process seam of the snapshot package: mount, umount, cp and sync run through it. Callers
 * build the {@link Invocation} with pure functions (unit-tested), and tests can substitute a runner
 * to inject faults.
 */
@FunctionalInterface
public interface CommandRunner {
    /**
     * @param argv the program and its arguments (the program is looked up on PATH when not absolute)
     * @param cwd  working directory of the process, or null to inherit; it matters for overlay mounts
     *             with relative lowerdir paths, which the kernel resolves against the caller's cwd
     */
    record Invocation(List<String> argv, Path cwd) {
        public Invocation {
            argv = List.copyOf(argv);
        }

        public static Invocation of(String... argv) { return new Invocation(List.of(argv), null); }

        @Override public String toString() { return String.join(" ", argv) + (cwd == null ? "" : " (in " + cwd + ")"); }
    }

    /** Runs the command to completion; returns its output, or throws IOException naming it on a non-zero exit. */
    String run(Invocation inv) throws IOException;

    /** Runs commands as child processes of this JVM. */
    static CommandRunner system() {
        return inv -> {
            ProcessBuilder pb = new ProcessBuilder(inv.argv()).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            if (inv.cwd() != null) pb.directory(inv.cwd().toFile());
            Process p = pb.start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            int rc;
            try {
                rc = p.waitFor();
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("running " + inv + ": interrupted", e);
            }
            if (rc != 0) throw new IOException("running " + inv + ": exit status " + rc + ": " + out.strip());
            return out;
        };
    }
}
