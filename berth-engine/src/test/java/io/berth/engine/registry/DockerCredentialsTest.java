package io.berth.engine.registry;

import io.berth.api.BerthException;
import io.berth.api.image.RegistryAuth;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DockerCredentialsTest {
    @TempDir Path dir;

    @Test
    void readsBase64AuthAndNormalisesKeys() throws IOException {
        Path f = dir.resolve("config.json");
        String hub = Base64.getEncoder().encodeToString("hubuser:hub:pw".getBytes());
        String local = Base64.getEncoder().encodeToString("me:pw".getBytes());
        Files.writeString(f, """
                {"auths": {"https://index.docker.io/v1/": {"auth": "%s"}, "http://localhost:5000": {"auth": "%s"},
                           "ghcr.io": {"identitytoken": "tok"}},
                 "credsStore": "desktop"}""".formatted(hub, local));
        DockerCredentials c = new DockerCredentials(f);
        RegistryAuth a = c.lookup("docker.io").orElseThrow();
        assertThat(a.username()).isEqualTo("hubuser");
        assertThat(a.password()).isEqualTo("hub:pw"); // only the first ':' separates
        assertThat(c.lookup("localhost:5000").orElseThrow().username()).isEqualTo("me");
        assertThat(c.lookup("ghcr.io").orElseThrow().identityToken()).isEqualTo("tok");
        assertThat(c.lookup("quay.io")).isEmpty();
    }

    @Test
    void missingFileMeansNoCredentialsAndBrokenFileIsAClearError() throws IOException {
        assertThat(new DockerCredentials(dir.resolve("absent.json")).lookup("docker.io")).isEmpty();
        Path f = dir.resolve("bad.json");
        Files.writeString(f, "{\"auths\": {\"x.io\": {\"auth\": \"!!!\"}}}");
        assertThatThrownBy(() -> new DockerCredentials(f).lookup("x.io"))
                .isInstanceOf(BerthException.class).hasMessageContaining("not valid base64");
    }

    @Test
    void storeAndEraseKeepOtherFieldsAndMode0600() throws IOException {
        Path f = dir.resolve("sub/config.json");
        Files.createDirectories(f.getParent());
        Files.writeString(f, "{\"auths\": {\"other.io\": {\"auth\": \"" + Base64.getEncoder().encodeToString("o:p".getBytes()) + "\"}}, \"psFormat\": \"x\"}");
        DockerCredentials c = new DockerCredentials(f);
        c.store("https://index.docker.io/v1/", "u", "p");
        c.store("localhost:5000", "v", "q");
        assertThat(Files.readString(f)).contains("\"https://index.docker.io/v1/\"").contains("psFormat");
        assertThat(Files.getPosixFilePermissions(f)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(c.lookup("docker.io").orElseThrow().username()).isEqualTo("u");
        assertThat(c.erase("http://localhost:5000")).isTrue();
        assertThat(c.erase("localhost:5000")).isFalse();
        assertThat(c.lookup("localhost:5000")).isEmpty();
        assertThat(c.lookup("other.io").orElseThrow().password()).isEqualTo("p");
    }
}
