package io.berth.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.berth.api.BerthException;
import io.berth.api.image.RegistryAuth;
import io.berth.client.BerthClient;
import io.berth.client.DockerConfig;
import io.berth.client.Json;

import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/** version, info, login, logout. */
final class SystemCommands {
    private SystemCommands() { }

    /** The project version baked in at build time (resource filtering), "unknown" in an IDE. */
    static String clientVersion() {
        try (InputStream in = SystemCommands.class.getResourceAsStream("version.properties")) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The git commit of the build: build/dist/REVISION next to the launcher, when run through it. */
    static String gitCommit(Map<String, String> env) {
        String launcher = env.get("BERTH_LAUNCHER");
        if (launcher == null) return "unknown";
        try {
            String rev = Files.readString(Path.of(launcher).resolveSibling("build/dist/REVISION")).strip();
            return rev.isEmpty() ? "unknown" : rev.substring(0, Math.min(7, rev.length()));
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String arch() {
        String a = System.getProperty("os.arch");
        return switch (a) { case "x86_64" -> "amd64"; case "aarch64" -> "arm64"; default -> a; };
    }

    static Map<String, Object> clientInfo(Cli cli) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("Version", clientVersion());
        c.put("ApiVersion", BerthClient.API_VERSION);
        c.put("DefaultAPIVersion", BerthClient.API_VERSION);
        c.put("GitCommit", gitCommit(cli.env));
        c.put("JavaVersion", Runtime.version().toString());
        c.put("Os", "linux");
        c.put("Arch", arch());
        c.put("Host", cli.target.host());
        return c;
    }

    static int version(Cli cli, List<String> args) {
        Flags f = new Flags("berth version [OPTIONS]", "Show the berth version information")
                .value("format", 'f', "string", "Format output using a custom template")
                .bool("client", '\0', "Show only the client version (does not contact berthd)");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 0, 0);
        Map<String, Object> client = clientInfo(cli);
        String format = p.value("format");
        if (p.bool("client")) {
            if (format != null) cli.out.println(Template.parse(format).render(Map.of("Client", client)));
            else printClient(cli, client);
            return 0;
        }
        Object server = null;
        BerthException failure = null;
        try {
            JsonNode v = cli.client().versionJson();
            server = Json.mapper().convertValue(v, new TypeReference<Map<String, Object>>() { });
        } catch (BerthException e) {
            failure = e;
        }
        if (format != null) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("Client", client);
            data.put("Server", server);
            if (format.equals("json")) cli.out.println(Template.json(data));
            else cli.out.println(Template.parse(format.replace("\\t", "\t").replace("\\n", "\n")).render(data));
        } else {
            printClient(cli, client);
            if (server != null) printServer(cli, (Map<?, ?>) server);
        }
        if (failure != null) { cli.out.flush(); throw failure; }
        return 0;
    }

    private static void printClient(Cli cli, Map<String, Object> c) {
        StringBuilder b = new StringBuilder("Client:\n");
        line(b, " ", "Version:", c.get("Version"));
        line(b, " ", "API version:", c.get("ApiVersion"));
        line(b, " ", "Java version:", c.get("JavaVersion"));
        line(b, " ", "Git commit:", c.get("GitCommit"));
        line(b, " ", "OS/Arch:", c.get("Os") + "/" + c.get("Arch"));
        line(b, " ", "Host:", c.get("Host"));
        cli.out.print(b);
    }

    private static void printServer(Cli cli, Map<?, ?> s) {
        StringBuilder b = new StringBuilder("\nServer:");
        Object platform = s.get("Platform") instanceof Map<?, ?> m ? m.get("Name") : null;
        if (platform != null && !platform.toString().isEmpty()) b.append(' ').append(platform);
        b.append('\n');
        List<?> components = s.get("Components") instanceof List<?> l ? l : List.of();
        if (components.isEmpty()) components = List.of(Map.of("Name", "Engine", "Version", str(s.get("Version")), "Details", s));
        for (Object o : components) {
            if (!(o instanceof Map<?, ?> comp)) continue;
            Map<?, ?> d = comp.get("Details") instanceof Map<?, ?> dm ? dm : Map.of();
            b.append(' ').append(str(comp.get("Name"))).append(":\n");
            line(b, "  ", "Version:", str(comp.get("Version")));
            if ("Engine".equals(comp.get("Name"))) {
                line(b, "  ", "API version:", str(d.get("ApiVersion")) + " (minimum version " + str(d.get("MinAPIVersion")) + ")");
                if (d.get("GoVersion") != null) line(b, "  ", "Go version:", str(d.get("GoVersion")));
                if (d.get("JavaVersion") != null) line(b, "  ", "Java version:", str(d.get("JavaVersion")));
                line(b, "  ", "Git commit:", str(d.get("GitCommit")));
                line(b, "  ", "Built:", str(d.get("BuildTime")));
                line(b, "  ", "OS/Arch:", str(d.get("Os")) + "/" + str(d.get("Arch")));
                line(b, "  ", "Experimental:", str(d.get("Experimental")));
            } else {
                for (Map.Entry<?, ?> e : new TreeMap<>(d).entrySet()) line(b, "  ", e.getKey() + ":", str(e.getValue()));
            }
        }
        cli.out.print(b);
    }

    private static String str(Object o) { return o == null ? "" : Template.print(o); }

    /** Docker aligns values at column 20 ("  API version:      1.44"). */
    private static void line(StringBuilder b, String indent, String key, Object value) {
        String left = indent + key;
        b.append(left).append(" ".repeat(Math.max(1, 20 - left.length()))).append(value).append('\n');
    }

    static int info(Cli cli, List<String> args) {
        Flags f = new Flags("berth info [OPTIONS]", "Display system-wide information")
                .value("format", 'f', "string", "Format output using a custom template");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 0, 0);
        JsonNode i = cli.client().infoJson();
        String format = p.value("format");
        if (format != null) {
            if (format.equals("json")) { cli.out.println(i.toString()); return 0; }
            Object data = Json.mapper().convertValue(i, new TypeReference<Map<String, Object>>() { });
            cli.out.println(Template.parse(format.replace("\\t", "\t").replace("\\n", "\n")).render(data));
            return 0;
        }
        StringBuilder b = new StringBuilder();
        b.append("Client:\n Version:    ").append(clientVersion()).append("\n Host:       ").append(cli.target.host()).append("\n\nServer:\n");
        b.append(" Containers: ").append(i.path("Containers").asInt()).append('\n');
        b.append("  Running: ").append(i.path("ContainersRunning").asInt()).append('\n');
        b.append("  Paused: ").append(i.path("ContainersPaused").asInt()).append('\n');
        b.append("  Stopped: ").append(i.path("ContainersStopped").asInt()).append('\n');
        b.append(" Images: ").append(i.path("Images").asInt()).append('\n');
        b.append(" Server Version: ").append(i.path("ServerVersion").asText()).append('\n');
        b.append(" Storage Driver: ").append(i.path("Driver").asText()).append('\n');
        for (JsonNode pair : i.path("DriverStatus")) b.append("  ").append(pair.path(0).asText()).append(": ").append(pair.path(1).asText()).append('\n');
        if (i.hasNonNull("CgroupDriver")) b.append(" Cgroup Driver: ").append(i.path("CgroupDriver").asText()).append('\n');
        if (i.hasNonNull("CgroupVersion")) b.append(" Cgroup Version: ").append(i.path("CgroupVersion").asText()).append('\n');
        b.append(" Kernel Version: ").append(i.path("KernelVersion").asText()).append('\n');
        b.append(" Operating System: ").append(i.path("OperatingSystem").asText()).append('\n');
        b.append(" OSType: ").append(i.path("OSType").asText("linux")).append('\n');
        b.append(" Architecture: ").append(i.path("Architecture").asText()).append('\n');
        b.append(" CPUs: ").append(i.path("NCPU").asInt()).append('\n');
        b.append(" Total Memory: ").append(Units.bytesSize(i.path("MemTotal").asLong())).append('\n');
        b.append(" Name: ").append(i.path("Name").asText()).append('\n');
        b.append(" ID: ").append(i.path("ID").asText()).append('\n');
        b.append(" Root Dir: ").append(i.path("DockerRootDir").asText()).append('\n');
        b.append(" Debug Mode: ").append(i.path("Debug").asBoolean()).append('\n');
        JsonNode insecure = i.path("RegistryConfig").path("InsecureRegistryCIDRs");
        if (insecure.isArray() && !insecure.isEmpty()) {
            b.append(" Insecure Registries:\n");
            for (JsonNode c : insecure) b.append("  ").append(c.asText()).append('\n');
        }
        b.append(" Live Restore Enabled: ").append(i.path("LiveRestoreEnabled").asBoolean()).append('\n');
        cli.out.print(b);
        List<String> warnings = new ArrayList<>();
        i.path("Warnings").forEach(w -> warnings.add(w.asText()));
        if (!warnings.isEmpty()) {
            cli.out.flush();
            warnings.forEach(cli.err::println);
        }
        return 0;
    }

    // ------------------------------------------------------------------ login, logout

    static int login(Cli cli, List<String> args) {
        Flags f = new Flags("berth login [OPTIONS] [SERVER]", "Log in to a registry.\nIf no server is specified, the default is Docker Hub.")
                .value("password", 'p', "string", "Password")
                .bool("password-stdin", '\0', "Take the password from stdin")
                .value("username", 'u', "string", "Username");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 0, 1);
        String server = p.args().isEmpty() ? DockerConfig.DOCKER_HUB_KEY : p.args().getFirst();
        String user = p.value("username"), pass = p.value("password");
        if (p.bool("password-stdin")) {
            if (pass != null) throw new CliException("--password and --password-stdin are mutually exclusive");
            if (user == null) throw new CliException("Must provide --username with --password-stdin");
            try { pass = new String(cli.in.readAllBytes(), StandardCharsets.UTF_8); }
            catch (IOException e) { throw new CliException("reading password from stdin: " + e.getMessage()); }
            pass = pass.endsWith("\r\n") ? pass.substring(0, pass.length() - 2) : pass.endsWith("\n") ? pass.substring(0, pass.length() - 1) : pass;
        } else if (pass != null) {
            cli.err.println("WARNING! Using --password via the CLI is insecure. Use --password-stdin.");
        }
        if (user == null || pass == null) {
            Console console = System.console();
            if (console == null || !cli.stdinIsTerminal()) throw new CliException("Error: Cannot perform an interactive login from a non TTY device");
            if (user == null) user = console.readLine("Username: ");
            if (user == null || user.isBlank()) throw new CliException("Error: Non-null Username Required");
            if (pass == null) {
                char[] pw = console.readPassword("Password: ");
                pass = pw == null ? "" : new String(pw);
            }
            if (pass.isEmpty()) throw new CliException("Error: Password Required");
        }
        user = user.strip();
        BerthClient.AuthResult r = cli.client().auth(RegistryAuth.basic(user, pass, server));
        DockerConfig config = DockerConfig.load(DockerConfig.defaultPath(cli.env));
        config.put(server, r.identityToken() != null ? new RegistryAuth(user, "", server, r.identityToken(), null)
                : RegistryAuth.basic(user, pass, server));
        config.save();
        cli.out.println(r.status() == null || r.status().isEmpty() ? "Login Succeeded" : r.status());
        return 0;
    }

    static int logout(Cli cli, List<String> args) {
        Flags f = new Flags("berth logout [SERVER]", "Log out from a registry.\nIf no server is specified, the default is Docker Hub.");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 0, 1);
        String server = p.args().isEmpty() ? DockerConfig.DOCKER_HUB_KEY : p.args().getFirst();
        String key = DockerConfig.serverKey(server);
        DockerConfig config = DockerConfig.load(DockerConfig.defaultPath(cli.env));
        if (!config.remove(server)) {
            cli.out.println("Not logged in to " + key);
            return 0;
        }
        cli.out.println("Removing login credentials for " + key);
        config.save();
        return 0;
    }
}
