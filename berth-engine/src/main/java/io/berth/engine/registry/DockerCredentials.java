package io.berth.engine.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.api.BerthException;
import io.berth.api.image.RegistryAuth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * Registry credentials in Docker's {@code config.json}: {@code {"auths": {"host:5000": {"auth": base64(user:password)}}}},
 * also accepting explicit {@code username}/{@code password} and {@code identitytoken}. Keys are matched
 * after normalising ({@code https://index.docker.io/v1/} is {@code docker.io}, a scheme and path are
 * ignored). The file is read on every lookup, so {@code berth login} takes effect without a restart.
 * Credential helpers ({@code credsStore}, {@code credHelpers}) are not consulted.
 */
public final class DockerCredentials {
    /** The key Docker writes for Docker Hub. */
    public static final String DOCKER_HUB_KEY = "https://index.docker.io/v1/";

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;

    public DockerCredentials(Path file) { this.file = file; }

    public Path file() { return file; }

    /** The credentials stored for a reference domain ({@code docker.io}, {@code host:5000}), if any. */
    public Optional<RegistryAuth> lookup(String domain) {
        JsonNode auths = readAuths();
        if (auths == null) return Optional.empty();
        String want = RegistryHosts.domainOf(domain);
        for (Iterator<Map.Entry<String, JsonNode>> it = auths.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!RegistryHosts.domainOf(e.getKey()).equalsIgnoreCase(want)) continue;
            Optional<RegistryAuth> a = decode(e.getKey(), e.getValue());
            if (a.isPresent()) return a;
        }
        return Optional.empty();
    }

    private JsonNode readAuths() {
        if (file == null) return null;
        try {
            JsonNode root = JSON.readTree(Files.readAllBytes(file));
            JsonNode auths = root == null ? null : root.get("auths");
            return auths != null && auths.isObject() ? auths : null;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw BerthException.invalid("reading credentials from %s: %s", file, e.getMessage());
        }
    }

    private Optional<RegistryAuth> decode(String key, JsonNode n) {
        String user = text(n, "username"), pass = text(n, "password");
        String auth = text(n, "auth");
        if (auth != null && !auth.isEmpty()) {
            String plain;
            try { plain = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8); }
            catch (IllegalArgumentException ex) { throw BerthException.invalid("reading credentials for %s from %s: auth is not valid base64", key, file); }
            int colon = plain.indexOf(':');
            if (colon < 0) throw BerthException.invalid("reading credentials for %s from %s: auth is not user:password", key, file);
            user = plain.substring(0, colon);
            pass = plain.substring(colon + 1);
        }
        String identity = text(n, "identitytoken");
        String registryToken = text(n, "registrytoken");
        if ((user == null || user.isEmpty()) && identity == null && registryToken == null) return Optional.empty();
        return Optional.of(new RegistryAuth(user, pass, key, identity, registryToken));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.isTextual() && !v.asText().isEmpty() ? v.asText() : null;
    }

    /**
     * Stores {@code user:password} for a server as {@code docker login} does (base64 {@code auth}),
     * keeping every other field of the file; written atomically with mode 0600.
     */
    public void store(String serverAddress, String username, String password) throws IOException {
        ObjectNode root = readRoot();
        ObjectNode auths = root.has("auths") && root.get("auths").isObject() ? (ObjectNode) root.get("auths") : root.putObject("auths");
        String key = configKey(serverAddress);
        removeMatching(auths, key);
        ObjectNode entry = auths.putObject(key);
        entry.put("auth", Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8)));
        write(root);
    }

    /** Removes the credentials for a server; returns whether there were any. */
    public boolean erase(String serverAddress) throws IOException {
        ObjectNode root = readRoot();
        if (!(root.get("auths") instanceof ObjectNode auths)) return false;
        boolean removed = removeMatching(auths, configKey(serverAddress));
        if (removed) write(root);
        return removed;
    }

    /** The key Docker uses in config.json: the Hub's legacy URL, otherwise the bare host[:port]. */
    public static String configKey(String serverAddress) {
        String d = RegistryHosts.domainOf(serverAddress);
        return d.equals(RegistryHosts.DOCKER_HUB) ? DOCKER_HUB_KEY : d;
    }

    private static boolean removeMatching(ObjectNode auths, String key) {
        String want = RegistryHosts.domainOf(key);
        boolean removed = false;
        for (Iterator<String> it = auths.fieldNames(); it.hasNext(); ) {
            if (RegistryHosts.domainOf(it.next()).equalsIgnoreCase(want)) { it.remove(); removed = true; }
        }
        return removed;
    }

    private ObjectNode readRoot() throws IOException {
        try {
            JsonNode n = JSON.readTree(Files.readAllBytes(file));
            return n instanceof ObjectNode o ? o : JSON.createObjectNode();
        } catch (NoSuchFileException e) {
            return JSON.createObjectNode();
        }
    }

    private void write(ObjectNode root) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".config", ".json",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
