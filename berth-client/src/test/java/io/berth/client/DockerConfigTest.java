package io.berth.client;

import io.berth.api.BerthException;
import io.berth.api.image.RegistryAuth;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DockerConfigTest {
    @TempDir Path dir;

    @Test void missingFileIsEmpty() {
        assertThat(DockerConfig.load(dir.resolve("config.json")).credentials("docker.io")).isEmpty();
    }

    @Test void readsAuthByHostnameWhateverTheKeyForm() throws IOException {
        Path f = dir.resolve("config.json");
        Files.writeString(f, """
                {"auths": {"https://myreg:5000/v2/": {"auth": "dTpwOng="},
                           "https://index.docker.io/v1/": {"auth": "aHViOnNlY3JldA=="}},
                 "credsStore": "desktop"}""");
        DockerConfig c = DockerConfig.load(f);
        RegistryAuth a = c.credentials("myreg:5000").orElseThrow();
        assertThat(a.username()).isEqualTo("u");
        assertThat(a.password()).isEqualTo("p:x");   // only the first colon splits
        assertThat(c.credentials("docker.io").orElseThrow().username()).isEqualTo("hub");
        assertThat(c.credentials("registry-1.docker.io").orElseThrow().password()).isEqualTo("secret");
        assertThat(c.credentials("other:5000")).isEmpty();
    }

    @Test void writesAuthKeepingOtherKeysWithMode0600() throws IOException {
        Path f = dir.resolve("sub/config.json");
        Files.createDirectories(f.getParent());
        Files.writeString(f, "{\"psFormat\":\"table {{.ID}}\",\"auths\":{\"old:1\":{\"auth\":\"eDp5\"}},\"HttpHeaders\":{\"X\":\"<y>\"}}");
        DockerConfig c = DockerConfig.load(f);
        c.put("https://127.0.0.1:5000", RegistryAuth.basic("bob", "pw", "127.0.0.1:5000"));
        c.put("docker.io", RegistryAuth.basic("hub", "s", "docker.io"));
        c.save();
        String text = Files.readString(f);
        assertThat(text).contains("\"psFormat\": \"table {{.ID}}\"", "\"X\": \"<y>\"", "\"old:1\"",
                "\"127.0.0.1:5000\": {\n\t\t\t\"auth\": \"Ym9iOnB3\"\n\t\t}", "\"https://index.docker.io/v1/\"");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        DockerConfig again = DockerConfig.load(f);
        assertThat(again.credentials("127.0.0.1:5000").orElseThrow().password()).isEqualTo("pw");
        assertThat(again.remove("https://127.0.0.1:5000/v2/")).isTrue();
        assertThat(again.remove("127.0.0.1:5000")).isFalse();
        again.save();
        assertThat(DockerConfig.load(f).credentials("127.0.0.1:5000")).isEmpty();
        assertThat(Files.readString(f)).contains("psFormat", "old:1");
        try (var s = Files.list(f.getParent())) { assertThat(s).hasSize(1); } // no temp file left
    }

    @Test void identityTokenIsStoredInsteadOfPassword() {
        DockerConfig c = DockerConfig.load(dir.resolve("config.json"));
        c.put("reg.example", new RegistryAuth("u", "", "reg.example", "tok", null));
        c.save();
        RegistryAuth a = DockerConfig.load(dir.resolve("config.json")).credentials("reg.example").orElseThrow();
        assertThat(a.identityToken()).isEqualTo("tok");
        assertThat(a.password()).isEmpty();
    }

    @Test void malformedFileIsAClearError() throws IOException {
        Files.writeString(dir.resolve("config.json"), "[1,2]");
        assertThatThrownBy(() -> DockerConfig.load(dir.resolve("config.json"))).isInstanceOf(BerthException.class)
                .hasMessageContaining("not a JSON object");
    }

    @Test void serverKeys() {
        assertThat(DockerConfig.serverKey("docker.io")).isEqualTo(DockerConfig.DOCKER_HUB_KEY);
        assertThat(DockerConfig.serverKey("https://index.docker.io/v1/")).isEqualTo(DockerConfig.DOCKER_HUB_KEY);
        assertThat(DockerConfig.serverKey("http://Reg:5000/v2/")).isEqualTo("reg:5000");
    }
}
