package io.berth.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.it.fixture.Berthd;
import io.berth.it.fixture.BerthCli;
import io.berth.it.fixture.CommandResult;
import io.berth.it.fixture.Compression;
import io.berth.it.fixture.Credentials;
import io.berth.it.fixture.DockerCli;
import io.berth.it.fixture.Format;
import io.berth.it.fixture.Image;
import io.berth.it.fixture.LogOnFailure;
import io.berth.it.fixture.Pusher;
import io.berth.it.fixture.TempDirs;
import io.berth.it.fixture.TestImages;
import io.berth.it.fixture.TestRegistry;
import io.berth.it.fixture.TokenServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pulls from registries behind HTTP Basic auth and behind the Bearer token flow: refused without
 * credentials and with wrong ones, accepted after {@code berth login} (whose ~/.docker/config.json,
 * in a temp HOME, the docker CLI and the berth CLI both read).
 */
class AuthIT {
    @RegisterExtension
    static final LogOnFailure LOGS = new LogOnFailure();

    /** What a refused pull may say: Docker prints the registry's error, which varies by auth scheme. */
    static final String REFUSED = "(?is).*(unauthori[sz]ed|authentication required|no basic auth credentials"
            + "|incorrect username or password|insufficient.scope|access.*denied|denied).*";

    static TestRegistry basic;
    static TestRegistry token;
    static Berthd daemon;
    static Path work;
    static Image image;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void up() {
        image = TestImages.hello(Format.OCI, Compression.GZIP);
        basic = TestRegistry.basic("alice", "s3cret");
        LOGS.watch("basic registry", basic::logText);
        token = TestRegistry.token("bob", "hunter2");
        LOGS.watch("token registry", token::logText);
        new Pusher(basic).push("it/private", "1", image);
        new Pusher(token).push("it/private", "1", image);
        work = TempDirs.create("berth-authit-");
        // The daemon gets a HOME of its own with no credentials in it: only what clients send may count.
        Path daemonHome = work.resolve("daemon-home");
        mkdirs(daemonHome);
        daemon = Berthd.builder().env("HOME", daemonHome.toString()).env("DOCKER_CONFIG", null).start();
        LOGS.watch("berthd", daemon::logText);
    }

    @AfterAll
    static void down() {
        if (daemon != null) {
            daemon.close();
        }
        if (basic != null) {
            basic.close();
        }
        if (token != null) {
            token.close();
        }
        TempDirs.deleteTree(work);
    }

    @Test
    void basicAuthRegistry() throws IOException {
        String host = basic.hostPort();
        String ref = host + "/it/private:1";
        Path home = work.resolve("home-basic");
        mkdirs(home);
        DockerCli anonymous = daemon.docker().withConfigDir(work.resolve("no-creds"));
        BerthCli berth = daemon.berth().withHome(home);

        CommandResult refused = anonymous.run("pull", ref);
        assertThat(refused.exitCode()).as(refused.toString()).isNotZero();
        assertThat(refused.stderr()).matches(REFUSED);
        assertThat(anonymous.repoTags()).doesNotContain(ref);

        DockerCli wrong = daemon.docker().withConfigDir(configWith(work.resolve("wrong-basic"), host,
                basic.credentials().orElseThrow().withPassword("wrong")));
        CommandResult wrongPull = wrong.run("pull", ref);
        assertThat(wrongPull.exitCode()).isNotZero();
        assertThat(wrongPull.stderr()).matches(REFUSED);

        // Credentials as docker login stores them reach the daemon through X-Registry-Auth.
        DockerCli good = daemon.docker().withConfigDir(configWith(work.resolve("good-basic"), host,
                basic.credentials().orElseThrow()));
        assertThat(good.ok("pull", ref).lines()).contains("Status: Downloaded newer image for " + ref);
        assertThat(good.inspectImage(ref).get("Id").asText()).isEqualTo(image.id());
        good.ok("rmi", ref);

        CommandResult badLogin = berth.runWithStdin("nope\n".getBytes(StandardCharsets.UTF_8),
                "login", "-u", "alice", "--password-stdin", host);
        assertThat(badLogin.exitCode()).as("login with a wrong password\n" + badLogin).isNotZero();
        assertThat(badLogin.stdout() + badLogin.stderr()).matches(REFUSED);
        assertThat(home.resolve(".docker/config.json")).satisfiesAnyOf(
                p -> assertThat(p).doesNotExist(),
                p -> assertThat(auths(p).has(host)).isFalse());

        CommandResult login = berth.runWithStdin("s3cret\n".getBytes(StandardCharsets.UTF_8),
                "login", "-u", "alice", "--password-stdin", host);
        assertThat(login.assertSuccess().stdout()).contains("Login Succeeded");
        assertThat(auths(home.resolve(".docker/config.json")).at("/" + host + "/auth").asText())
                .isEqualTo(basic.credentials().orElseThrow().base64());

        DockerCli loggedIn = daemon.docker().withConfigDir(home.resolve(".docker"));
        CommandResult pull = loggedIn.ok("pull", ref);
        assertThat(pull.lines()).contains("Digest: " + image.manifestDigest(),
                "Status: Downloaded newer image for " + ref);
        assertThat(loggedIn.inspectImage(ref).get("Id").asText()).isEqualTo(image.id());

        CommandResult logout = berth.ok("logout", host);
        assertThat(logout.stdout()).contains("Removing login credentials for " + host);
        assertThat(auths(home.resolve(".docker/config.json")).has(host)).isFalse();
    }

    @Test
    void bearerTokenRegistry() throws IOException {
        TokenServer ts = token.tokenServer().orElseThrow();
        String host = token.hostPort();
        String ref = host + "/it/private:1";
        Path home = work.resolve("home-token");
        mkdirs(home);
        BerthCli berth = daemon.berth().withHome(home);

        // Anonymous: the token server issues a token without access and the registry refuses it.
        int issuedBefore = ts.tokensIssued();
        CommandResult refused = daemon.docker().withConfigDir(work.resolve("no-creds-token")).run("pull", ref);
        assertThat(refused.exitCode()).as(refused.toString()).isNotZero();
        assertThat(refused.stderr()).matches(REFUSED);
        assertThat(ts.tokensIssued()).as("berthd asked the token server").isGreaterThan(issuedBefore);

        // Wrong password: the token server itself refuses.
        int refusalsBefore = ts.refusals();
        DockerCli wrong = daemon.docker().withConfigDir(configWith(work.resolve("wrong-token"), host,
                token.credentials().orElseThrow().withPassword("wrong")));
        CommandResult wrongPull = wrong.run("pull", ref);
        assertThat(wrongPull.exitCode()).isNotZero();
        assertThat(wrongPull.stderr()).matches(REFUSED);
        assertThat(ts.refusals()).isGreaterThan(refusalsBefore);
        assertThat(daemon.docker().repoTags()).doesNotContain(ref);

        DockerCli good = daemon.docker().withConfigDir(configWith(work.resolve("good-token"), host,
                token.credentials().orElseThrow()));
        assertThat(good.ok("pull", ref).lines()).contains("Status: Downloaded newer image for " + ref);
        assertThat(ts.requests()).anySatisfy(r -> assertThat(r).contains("repository:it/private:pull")
                .contains("user=bob"));
        good.ok("rmi", ref);

        CommandResult login = berth.ok("login", "-u", "bob", "-p", "hunter2", host);
        assertThat(login.stdout()).contains("Login Succeeded");
        assertThat(auths(home.resolve(".docker/config.json")).at("/" + host + "/auth").asText())
                .isEqualTo(token.credentials().orElseThrow().base64());

        // The berth CLI pulls with the stored credentials...
        berth.ok("pull", ref);
        DockerCli loggedIn = daemon.docker().withConfigDir(home.resolve(".docker"));
        assertThat(loggedIn.inspectImage(ref).get("Id").asText()).isEqualTo(image.id());

        // ...and so does the docker CLI.
        loggedIn.ok("rmi", ref);
        CommandResult pull = loggedIn.ok("pull", ref);
        assertThat(pull.lines()).contains("Digest: " + image.manifestDigest(),
                "Status: Downloaded newer image for " + ref);
        assertThat(loggedIn.inspectImage(ref).get("Id").asText()).isEqualTo(image.id());

        assertThat(berth.ok("logout", host).stdout()).contains("Removing login credentials for " + host);
        assertThat(auths(home.resolve(".docker/config.json")).has(host)).isFalse();
    }

    /** A DOCKER_CONFIG dir whose config.json holds {@code creds} for {@code host}, as docker login writes it. */
    private static Path configWith(Path dir, String host, Credentials creds) throws IOException {
        mkdirs(dir);
        Files.writeString(dir.resolve("config.json"),
                "{\"auths\":{\"" + host + "\":{\"auth\":\"" + creds.base64() + "\"}}}");
        return dir;
    }

    private static JsonNode auths(Path configJson) {
        try {
            JsonNode n = JSON.readTree(Files.readString(configJson)).get("auths");
            return n == null ? JSON.createObjectNode() : n;
        } catch (IOException e) {
            throw new AssertionError("reading " + configJson, e);
        }
    }

    private static void mkdirs(Path p) {
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
