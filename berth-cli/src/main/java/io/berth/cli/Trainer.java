package io.berth.cli;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The AOT training workload ({@code berth __aot-train}, run by the launcher with
 * {@code -XX:AOTCacheOutput}): runs the common verbs against a {@link CannedServer} so the cache
 * holds the classes and profiles of the paths users actually take (flag parsing, the HTTP client,
 * Jackson, templates, tables), whatever command happens to run first after a build.
 */
final class Trainer {
    private Trainer() { }

    static int train() {
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
        try {
            Path dir = Files.createTempDirectory("berth-aot");
            try (CannedServer s = new CannedServer(dir.resolve("s.sock"), CannedServer::sample)) {
                String[][] commands = {
                        {"version"}, {"version", "--client"}, {"version", "--format", "{{.Server.Version}}"}, {"info"},
                        {"images"}, {"images", "-q"}, {"images", "--digests", "--no-trunc"}, {"images", "--format", "json"},
                        {"images", "--format", "table {{.ID}}\\t{{.Repository}}:{{.Tag}}"}, {"image", "ls", "-aq", "-f", "dangling=false"},
                        {"image", "inspect", "busybox"}, {"image", "inspect", "-f", "{{.Id}} {{json .Config}}", "busybox"},
                        {"history", "busybox"}, {"pull", "busybox"}, {"pull", "-q", "busybox"}, {"rmi", "busybox"},
                        {"rmi", "nosuch"}, {"tag", "busybox", "busybox:2"}, {"images", "--help"}, {"images", "--bogus"},
                        {"ps"}, {"ps", "-aq"}, {"ps", "--format", "{{.Names}}\\t{{.Status}}"}, {"inspect", "web"},
                        {"run", "-d", "--rm", "-e", "A=1", "-m", "64m", "--cpus", "0.5", "-v", "/a:/b:ro", "busybox", "true"},
                        {"create", "--name", "x", "busybox"}, {"stop", "web"}, {"kill", "web"}, {"rm", "-f", "web"}, {"run", "--help"},
                };
                for (int round = 0; round < 3; round++) {
                    for (String[] c : commands) {
                        String[] argv = new String[c.length + 2];
                        argv[0] = "-H";
                        argv[1] = s.host();
                        System.arraycopy(c, 0, argv, 2, c.length);
                        Main.run(argv, sink, sink, new ByteArrayInputStream(new byte[0]), CannedServer.NO_ENV, round == 1);
                    }
                }
            }
            Files.deleteIfExists(dir);
            return 0;
        } catch (Exception e) {
            System.err.println("berth: AOT training failed: " + e);
            return 1;
        }
    }
}
