package io.berth.engine.registry;

import io.berth.api.BerthException;
import io.berth.api.image.RegistryAuth;
import io.berth.engine.content.FileContentStore;
import io.berth.spec.image.Descriptor;
import io.berth.spec.image.Digest;
import io.berth.spec.image.Platform;
import io.berth.spec.image.Reference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.berth.engine.registry.RegistryClientTest.FAST;
import static io.berth.engine.registry.RegistryClientTest.assertKind;
import static io.berth.engine.registry.RegistryClientTest.random;
import static io.berth.engine.registry.TestRegistry.Flavor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Basic (htpasswd) and Bearer (token server) auth against real docker-registry instances. */
class RegistryAuthTest {
    static final String USER = "alice", PASSWORD = "s3cret-pw";

    static RegistryAuth good(String host) { return RegistryAuth.basic(USER, PASSWORD, host); }

    static RegistryAuth bad(String host) { return RegistryAuth.basic(USER, "wrong", host); }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Htpasswd {
        Path dir;
        TestRegistry registry;
        TestRegistry.Pushed image;
        RegistryClient client;

        @BeforeAll
        void start(@TempDir Path tmp) throws IOException {
            dir = tmp;
            registry = TestRegistry.startWithHtpasswd(dir.resolve("reg"), USER, PASSWORD);
            image = registry.pushImage("team/private", "v1", Flavor.DOCKER, Platform.LINUX_AMD64, List.of(random(300_000, 1)));
            client = new RegistryClient(RegistryHosts.defaults(), dir.resolve("none.json"), FAST);
        }

        @AfterAll
        void stop() {
            client.close();
            registry.close();
        }

        Reference ref() { return Reference.parse(registry.host() + "/team/private:v1"); }

        @Test
        void anonymousIsUnauthorized() {
            assertThatThrownBy(() -> client.resolve(ref(), null))
                    .satisfies(e -> assertKind(e, BerthException.Kind.UNAUTHORIZED))
                    .hasMessageContaining("unauthorized");
        }

        @Test
        void requestCredentialsPullManifestAndBlobs() throws IOException {
            Resolved r = client.resolve(ref(), good(registry.host()));
            assertThat(r.descriptor().digest()).isEqualTo(image.manifest().digest());
            FileContentStore store = new FileContentStore(dir.resolve("store-" + System.nanoTime()));
            for (Descriptor d : image.layers()) client.fetchBlob(ref(), d, good(registry.host()), store, BlobProgress.NONE);
            assertThat(Digest.sha256(store.readAll(image.layers().getFirst().digest()))).isEqualTo(image.layers().getFirst().digest());
        }

        @Test
        void wrongPasswordIsUnauthorized() {
            assertThatThrownBy(() -> client.resolve(ref(), bad(registry.host())))
                    .satisfies(e -> assertKind(e, BerthException.Kind.UNAUTHORIZED));
        }

        @Test
        void credentialsFromDockerConfigJson() throws IOException {
            Path cfg = dir.resolve("docker/config.json");
            new DockerCredentials(cfg).store("http://" + registry.host(), USER, PASSWORD);
            try (RegistryClient c = new RegistryClient(RegistryHosts.defaults(), cfg, FAST)) {
                assertThat(c.resolve(ref(), null).descriptor().digest()).isEqualTo(image.manifest().digest());
            }
            // username/password fields instead of the base64 auth field work too
            Files.writeString(cfg, """
                    {"auths": {"%s": {"username": "%s", "password": "%s"}}}""".formatted(registry.host(), USER, PASSWORD));
            try (RegistryClient c = new RegistryClient(RegistryHosts.defaults(), cfg, FAST)) {
                assertThat(c.resolve(ref(), null).descriptor().digest()).isEqualTo(image.manifest().digest());
            }
        }

        @Test
        void login() throws IOException {
            assertThat(client.login(good(registry.host()))).isEqualTo("Login Succeeded");
            assertThatThrownBy(() -> client.login(bad(registry.host())))
                    .satisfies(e -> assertKind(e, BerthException.Kind.UNAUTHORIZED))
                    .hasMessage("unauthorized: incorrect username or password");
        }

        @Test
        void redirectToOtherHostDoesNotCarryRegistryCredentials() throws IOException {
            // Blob storage on another origin, as S3 behind a registry: it must not see the registry's Authorization.
            List<String> storageSaw = new CopyOnWriteArrayList<>();
            HttpClient fetch = HttpClient.newHttpClient();
            com.sun.net.httpserver.HttpServer storage = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            storage.createContext("/", ex -> {
                try (ex) {
                    storageSaw.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
                    byte[] body = fetch.send(HttpRequest.newBuilder(registry.uri().resolve(ex.getRequestURI().getPath()))
                                    .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes()))
                                    .build(), HttpResponse.BodyHandlers.ofByteArray()).body();
                    ex.sendResponseHeaders(200, body.length);
                    ex.getResponseBody().write(body);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            storage.start();
            try (FaultProxy proxy = new FaultProxy(registry.uri())) {
                proxy.redirectTo = URI.create("http://localhost:" + storage.getAddress().getPort());
                Reference r = Reference.parse(proxy.host() + "/team/private:v1");
                FileContentStore store = new FileContentStore(dir.resolve("store-redirect"));
                Descriptor layer = image.layers().getFirst();
                client.resolve(r, good(proxy.host())); // learns the Basic challenge, so the blob GET carries credentials
                client.fetchBlob(r, layer, good(proxy.host()), store, BlobProgress.NONE);
                assertThat(Digest.sha256(store.readAll(layer.digest()))).isEqualTo(layer.digest());
                assertThat(proxy.log).anySatisfy(l -> assertThat(l).contains("/blobs/").contains("[auth]").endsWith("307 (injected)"));
                assertThat(storageSaw).containsExactly("null");
            } finally {
                storage.stop(0);
                fetch.close();
            }
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Token {
        Path dir;
        TokenServer tokens;
        TestRegistry registry;
        TestRegistry.Pushed privateImage, publicImage;

        @BeforeAll
        void start(@TempDir Path tmp) throws IOException {
            dir = tmp;
            tokens = TokenServer.start(dir.resolve("tokens"), "berth-test-registry", Map.of(USER, PASSWORD), Set.of("pub/app"));
            registry = TestRegistry.startWithToken(dir.resolve("reg"), tokens);
            privateImage = registry.pushImage("team/private", "v1", Flavor.OCI, Platform.LINUX_AMD64,
                    List.of(random(100_000, 1), random(50_000, 2), random(20_000, 3)));
            publicImage = registry.pushImage("pub/app", "v1", Flavor.OCI, Platform.LINUX_AMD64, List.of(random(1000, 4)));
        }

        @AfterAll
        void stop() {
            registry.close();
            tokens.close();
        }

        RegistryClient client() { return new RegistryClient(RegistryHosts.defaults(), dir.resolve("none.json"), FAST); }

        @Test
        void credentialsGetATokenOnceForManifestAndAllBlobs() throws IOException {
            try (RegistryClient c = client()) {
                Reference ref = Reference.parse(registry.host() + "/team/private:v1");
                int before = tokens.requests();
                Resolved r = c.resolve(ref, good(registry.host()));
                assertThat(r.descriptor().digest()).isEqualTo(privateImage.manifest().digest());
                FileContentStore store = new FileContentStore(dir.resolve("store-" + System.nanoTime()));
                for (Descriptor d : privateImage.layers()) c.fetchBlob(ref, d, good(registry.host()), store, BlobProgress.NONE);
                c.fetchBlob(ref, privateImage.config(), good(registry.host()), store, BlobProgress.NONE);
                assertThat(store.list()).hasSize(4);
                assertThat(tokens.requests() - before).as("token cached per host and scope").isEqualTo(1);
                assertThat(tokens.log.getLast()).contains("scope=repository%3Ateam%2Fprivate%3Apull")
                        .contains("service=berth-test-registry").endsWith("[auth]");
            }
        }

        @Test
        void anonymousPullsPublicRepositoryButNotPrivate() throws IOException {
            try (RegistryClient c = client()) {
                Resolved r = c.resolve(Reference.parse(registry.host() + "/pub/app:v1"), null);
                assertThat(r.descriptor().digest()).isEqualTo(publicImage.manifest().digest());
                assertThat(tokens.log.getLast()).endsWith("[anon]");
                assertThatThrownBy(() -> c.resolve(Reference.parse(registry.host() + "/team/private:v1"), null))
                        .satisfies(e -> assertKind(e, BerthException.Kind.UNAUTHORIZED));
            }
        }

        @Test
        void tokenCachedForOneUserIsNotUsedForAnother() throws IOException {
            try (RegistryClient c = client()) {
                Reference ref = Reference.parse(registry.host() + "/team/private:v1");
                c.resolve(ref, good(registry.host()));
                assertThatThrownBy(() -> c.resolve(ref, null))
                        .satisfies(e -> assertKind(e, BerthException.Kind.UNAUTHORIZED));
            }
        }

        @Test
        void wrongPasswordIsUnauthorized() {
            try (RegistryClient c = client()) {
                assertThatThrownBy(() -> c.resolve(Reference.parse(registry.host() + "/team/private:v1"), bad(registry.host())))
                        .satisfies(e -> assertKind(e, BerthException.Kind.UNAUTHORIZED));
            }
        }

        @Test
        void acceptsAccessTokenField() throws IOException {
            tokens.accessTokenOnly = true;
            try (RegistryClient c = client()) {
                Resolved r = c.resolve(Reference.parse(registry.host() + "/team/private:v1"), good(registry.host()));
                assertThat(r.descriptor().digest()).isEqualTo(privateImage.manifest().digest());
            } finally {
                tokens.accessTokenOnly = false;
            }
        }

        @Test
        void login() throws IOException {
            try (RegistryClient c = client()) {
                assertThat(c.login(good(registry.host()))).isEqualTo("Login Succeeded");
                assertThatThrownBy(() -> c.login(bad(registry.host())))
                        .satisfies(e -> assertKind(e, BerthException.Kind.UNAUTHORIZED))
                        .hasMessage("unauthorized: incorrect username or password");
            }
        }
    }
}
