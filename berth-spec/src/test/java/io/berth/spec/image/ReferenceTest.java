package io.berth.spec.image;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReferenceTest {
    @ParameterizedTest
    @CsvSource({
            "busybox, docker.io/library/busybox:latest, busybox:latest",
            "busybox:1.36, docker.io/library/busybox:1.36, busybox:1.36",
            "foo/bar, docker.io/foo/bar:latest, foo/bar:latest",
            "index.docker.io/library/x:1, docker.io/library/x:1, x:1",
            "localhost/a, localhost/a:latest, localhost/a:latest",
            "127.0.0.1:5000/a/b:tag, 127.0.0.1:5000/a/b:tag, 127.0.0.1:5000/a/b:tag",
            "localhost:5000/a__b/c-d.e, localhost:5000/a__b/c-d.e:latest, localhost:5000/a__b/c-d.e:latest",
    })
    void normalises(String in, String full, String familiar) {
        Reference r = Reference.parse(in);
        assertThat(r.toString()).isEqualTo(full);
        assertThat(r.familiarString()).isEqualTo(familiar);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Busybox", "a//b", "a:", "a:-x", "-a", "a@sha256:123", "a@md5:" + "0123456789abcdef0123456789abcdef",
            "host:port/a", "a/b/", "a:tag@sha256"})
    void rejects(String in) {
        assertThatThrownBy(() -> Reference.parse(in)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid reference format");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Busybox"})
    void uppercaseSaysLowercase(String in) {
        assertThatThrownBy(() -> Reference.parse(in)).hasMessageContaining("must be lowercase");
    }

    @org.junit.jupiter.api.Test
    void tagAndDigest() {
        String d = "sha256:" + "a".repeat(64);
        Reference r = Reference.parse("host:5000/x/y:1@" + d);
        assertThat(r.domain()).isEqualTo("host:5000");
        assertThat(r.path()).isEqualTo("x/y");
        assertThat(r.tag()).isEqualTo("1");
        assertThat(r.digest()).hasToString(d);
        assertThat(Reference.parse("x@" + d).tag()).isNull();
    }

    @org.junit.jupiter.api.Test
    void platformMatching() {
        assertThat(Platform.parse("linux/amd64").matches(new Platform("linux", "amd64", null))).isTrue();
        assertThat(Platform.parse("linux/arm64").matches(new Platform("linux", "arm64", "v8"))).isTrue();
        assertThat(Platform.parse("linux/arm/v6").matches(new Platform("linux", "arm", "v7"))).isFalse();
        assertThat(Platform.parse("linux/arm").matches(new Platform("linux", "arm", "v7"))).isTrue();
        assertThat(Platform.parse("linux/x86_64").architecture()).isEqualTo("amd64");
    }
}
