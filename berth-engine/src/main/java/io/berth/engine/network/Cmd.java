package io.berth.engine.network;

import io.berth.api.BerthException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The package's process seam: netavark, iptables, unshare, umount. Argv in, exit code and output out. */
final class Cmd {
    private Cmd() {}

    record Result(int code, String out, String err) {
        Result check(String what) {
            if (code == 0) return this;
            String msg = (err.isBlank() ? out : err).strip();
            throw BerthException.unavailable("%s: %s", what, msg.isEmpty() ? "exit status " + code : msg);
        }
    }

    static Result run(List<String> argv, byte[] stdin) {
        ProcessBuilder pb = new ProcessBuilder(argv);
        if (stdin == null) pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw BerthException.unavailable("running %s: %s", argv.getFirst(), e.getMessage());
        }
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()), Thread::startVirtualThread);
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()), Thread::startVirtualThread);
        try {
            if (stdin != null) {
                try (OutputStream os = p.getOutputStream()) {
                    os.write(stdin);
                } catch (IOException ignored) {
                    // exited early; the exit code says why
                }
            }
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw BerthException.unavailable("running %s: timed out", String.join(" ", argv));
            }
            return new Result(p.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw BerthException.unavailable("running %s: interrupted", argv.getFirst());
        }
    }

    static Result run(String... argv) { return run(List.of(argv), null); }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
