package io.berth.client;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Docker's client config file ({@code $DOCKER_CONFIG/config.json}, default {@code ~/.docker/config.json}),
 * shared with the docker CLI so one login serves both. Only {@code auths.<server>.auth} (base64
 * "user:password") and {@code identitytoken} are used; every other key in the file is kept as it
 * was. Credential helpers ({@code credsStore}, {@code credHelpers}) are not supported.
 *
 * <p>Servers are keyed like docker: Docker Hub as {@code https://index.docker.io/v1/}, any other
 * registry by its host[:port]; lookups compare hostnames, so an entry written as
 * {@code https://host:5000/v2/} still matches {@code host:5000}.
 */
public final class DockerConfig {
    public static final String DOCKER_HUB_KEY = "https://index.docker.io/v1/";

    private final Path file;
    private final ObjectNode root;

    private DockerConfig(Path file, ObjectNode root) { this.file = file; this.root = root; }

    /** {@code $DOCKER_CONFIG/config.json} or {@code ~/.docker/config.json}. */
    public static Path defaultPath() { return defaultPath(System.getenv()); }

    /** The config file location for an environment: {@code $DOCKER_CONFIG/config.json} or {@code ~/.docker/config.json}. */
    public static Path defaultPath(Map<String, String> env) {
        String dir = env.get("DOCKER_CONFIG");
        if (dir != null && !dir.isEmpty()) return Path.of(dir, "config.json");
        // $HOME first, as docker does (Go's os.UserHomeDir); Java's user.home comes from the passwd entry.
        String home = env.get("HOME");
        return Path.of(home != null && !home.isEmpty() ? home : System.getProperty("user.home"), ".docker", "config.json");
    }

    public static DockerConfig load() { return load(defaultPath()); }

    /** Reads the file; a missing file is an empty config, a malformed one an INVALID_ARGUMENT error. */
    public static DockerConfig load(Path file) {
        try {
            String text = Files.readString(file);
            JsonNode n = text.isBlank() ? Json.mapper().createObjectNode() : Json.mapper().readTree(text);
            if (!(n instanceof ObjectNode o)) throw BerthException.invalid("reading %s: not a JSON object", file);
            return new DockerConfig(file, o);
        } catch (NoSuchFileException e) {
            return new DockerConfig(file, Json.mapper().createObjectNode());
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.INVALID_ARGUMENT, "reading " + file + ": " + e.getMessage(), e);
        }
    }

    public Path file() { return file; }

    /** The key docker uses for a registry: Hub's v1 URL, else the bare host[:port]. */
    public static String serverKey(String registry) {
        String host = hostname(registry);
        return isDockerHub(host) ? DOCKER_HUB_KEY : host;
    }

    /** Strips scheme and path: {@code https://host:5000/v2/} → {@code host:5000}. */
    public static String hostname(String server) {
        String s = server.trim();
        int scheme = s.indexOf("://");
        if (scheme >= 0) s = s.substring(scheme + 3);
        int slash = s.indexOf('/');
        if (slash >= 0) s = s.substring(0, slash);
        return s.toLowerCase(Locale.ROOT);
    }

    static boolean isDockerHub(String host) {
        return host.equals("docker.io") || host.equals("index.docker.io") || host.equals("registry-1.docker.io");
    }

    /** Stored credentials for a registry host ("docker.io", "127.0.0.1:5000"), if any. */
    public Optional<RegistryAuth> credentials(String registry) {
        String want = hostname(registry);
        boolean hub = isDockerHub(want);
        JsonNode auths = root.get("auths");
        if (auths == null || !auths.isObject()) return Optional.empty();
        for (Map.Entry<String, JsonNode> e : auths.properties()) {
            String host = hostname(e.getKey());
            if (!(host.equals(want) || hub && isDockerHub(host))) continue;
            JsonNode entry = e.getValue();
            String user = entry.path("username").asText(""), pass = entry.path("password").asText("");
            String auth = entry.path("auth").asText("");
            if (!auth.isEmpty()) {
                String decoded;
                try { decoded = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8); }
                catch (IllegalArgumentException ex) { throw BerthException.invalid("reading %s: auth for %s is not base64", file, e.getKey()); }
                int colon = decoded.indexOf(':');
                if (colon < 0) throw BerthException.invalid("reading %s: auth for %s is not user:password", file, e.getKey());
                user = decoded.substring(0, colon);
                pass = decoded.substring(colon + 1);
            }
            String token = entry.path("identitytoken").asText("");
            if (user.isEmpty() && token.isEmpty()) continue;
            return Optional.of(new RegistryAuth(user, pass, e.getKey(), token.isEmpty() ? null : token, null));
        }
        return Optional.empty();
    }

    /** Stores credentials under {@link #serverKey}; call {@link #save()} to write the file. */
    public void put(String registry, RegistryAuth auth) {
        String key = serverKey(registry);
        remove(registry);
        ObjectNode auths = root.has("auths") && root.get("auths").isObject() ? (ObjectNode) root.get("auths") : root.putObject("auths");
        ObjectNode entry = auths.putObject(key);
        if (auth.identityToken() != null && !auth.identityToken().isEmpty()) {
            // Like docker: with an identity token only the username is kept next to it.
            entry.put("auth", Base64.getEncoder().encodeToString((auth.username() + ":").getBytes(StandardCharsets.UTF_8)));
            entry.put("identitytoken", auth.identityToken());
        } else {
            entry.put("auth", Base64.getEncoder().encodeToString((auth.username() + ":" + auth.password()).getBytes(StandardCharsets.UTF_8)));
        }
    }

    /** Removes every entry whose host matches; returns whether one was there. */
    public boolean remove(String registry) {
        String want = hostname(registry);
        boolean hub = isDockerHub(want);
        JsonNode auths = root.get("auths");
        if (auths == null || !auths.isObject()) return false;
        List<String> gone = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : auths.properties()) {
            String host = hostname(e.getKey());
            if (host.equals(want) || hub && isDockerHub(host)) gone.add(e.getKey());
        }
        ((ObjectNode) auths).remove(gone);
        return !gone.isEmpty();
    }

    /**
     * Writes the file atomically (temp file + rename) with mode 0600, since it holds passwords in
     * base64; a reader never sees a half-written file.
     */
    public void save() {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "config.json", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                String text = JsonIndent.indent(Json.mapper().writeValueAsString(root), "", "\t") + "\n";
                Files.writeString(tmp, text);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.UNAVAILABLE, "writing " + file + ": " + e.getMessage(), e);
        }
    }
}
