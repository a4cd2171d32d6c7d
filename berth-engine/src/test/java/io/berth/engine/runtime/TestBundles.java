package io.berth.engine.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Builds OCI bundles in code: a rootfs with Debian's static busybox and a few applet links, and the
 * config.json that {@code runc spec} writes, edited as a Jackson tree.
 */
final class TestBundles {
    static final Path BUSYBOX = Path.of("/bin/busybox");
    private static final List<String> APPLETS = List.of("sh", "echo", "cat", "sleep", "true", "false", "ls", "id", "stty");
    static final ObjectMapper JSON = new ObjectMapper();

    private TestBundles() {}

    /** A bundle at {@code dir} whose process runs {@code args}. */
    static Path create(Path dir, boolean terminal, String... args) throws IOException, InterruptedException {
        Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
        Path bin = Files.createDirectories(rootfs.resolve("bin"));
        Files.copy(BUSYBOX, bin.resolve("busybox"));
        for (String a : APPLETS) Files.createSymbolicLink(bin.resolve(a), Path.of("busybox"));
        Process p = new ProcessBuilder("runc", "spec", "--bundle", dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException("runc spec failed: " + out);
        ObjectNode cfg = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
        ObjectNode process = (ObjectNode) cfg.get("process");
        process.put("terminal", terminal);
        ArrayNode a = process.putArray("args");
        for (String s : args) a.add(s);
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), cfg);
        return dir;
    }

    /** An exec process spec: the bundle's process with other args. */
    static byte[] process(Path bundle, boolean terminal, String... args) throws IOException {
        ObjectNode cfg = (ObjectNode) JSON.readTree(bundle.resolve("config.json").toFile());
        ObjectNode process = ((ObjectNode) cfg.get("process")).deepCopy();
        process.put("terminal", terminal);
        ArrayNode a = process.putArray("args");
        for (String s : args) a.add(s);
        return JSON.writeValueAsBytes(process);
    }
}
