package io.berth.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion, capturing both streams. */
record Proc(int exit, String out, String err) {
    static Proc run(Map<String, String> env, Path stdin, String... cmd) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().putAll(env);
            if (stdin != null) pb.redirectInput(stdin.toFile());
            Process p = pb.start();
            if (stdin == null) p.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + String.join(" ", cmd));
            }
            return new Proc(p.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new AssertionError("running " + String.join(" ", cmd), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static List<String> args(String first, String... rest) {
        List<String> l = new ArrayList<>();
        l.add(first);
        l.addAll(List.of(rest));
        return l;
    }

    private static String read(java.io.InputStream in) {
        try { return new String(in.readAllBytes(), StandardCharsets.UTF_8); }
        catch (IOException e) { return "<" + e + ">"; }
    }

    @Override public String toString() { return "exit=" + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err; }
}
