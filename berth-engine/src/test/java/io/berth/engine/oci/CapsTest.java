package io.berth.engine.oci;

import io.berth.api.BerthException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CapsTest {
    @ParameterizedTest
    @ValueSource(strings = {"NET_ADMIN", "CAP_NET_ADMIN", "net_admin", "cap_net_admin", " NET_ADMIN "})
    void acceptsEverySpelling(String name) {
        assertThat(Caps.normalize(name)).isEqualTo("CAP_NET_ADMIN");
    }

    @Test
    void unknownCapabilityIsAnInvalidArgument() {
        assertThatThrownBy(() -> Caps.normalize("NET_WIZARD"))
                .isInstanceOfSatisfying(BerthException.class, e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.INVALID_ARGUMENT))
                .hasMessageContaining("unknown capability: \"NET_WIZARD\"");
    }

    @Test
    void dockerDefaultIsTheFourteen() {
        assertThat(Caps.DOCKER_DEFAULT).hasSize(14).doesNotHaveDuplicates().doesNotContain("CAP_SYS_ADMIN", "CAP_NET_ADMIN");
        assertThat(Caps.ALL).hasSize(41);
        assertThat(Caps.ALL.indexOf("CAP_SYS_RESOURCE")).isEqualTo(24);
        assertThat(Caps.ALL.indexOf("CAP_SYS_ADMIN")).isEqualTo(21);
    }

    @Test
    void addAndDrop() {
        List<String> caps = Caps.tweak(Caps.DOCKER_DEFAULT, List.of("NET_ADMIN"), List.of("chown", "CAP_KILL"));
        assertThat(caps).contains("CAP_NET_ADMIN").doesNotContain("CAP_CHOWN", "CAP_KILL").hasSize(13);
    }

    @Test
    void dropAllKeepsOnlyAdds() {
        assertThat(Caps.tweak(Caps.DOCKER_DEFAULT, List.of("NET_BIND_SERVICE"), List.of("ALL"))).containsExactly("CAP_NET_BIND_SERVICE");
        assertThat(Caps.tweak(Caps.DOCKER_DEFAULT, null, List.of("all"))).isEmpty();
    }

    @Test
    void addAllGivesEverythingButDrops() {
        List<String> caps = Caps.tweak(Caps.DOCKER_DEFAULT, List.of("ALL"), List.of("SYS_ADMIN"));
        assertThat(caps).hasSize(40).doesNotContain("CAP_SYS_ADMIN");
    }

    @Test
    void addWinsOverDropOfTheSameCapability() {
        assertThat(Caps.tweak(Caps.DOCKER_DEFAULT, List.of("CHOWN"), List.of("CHOWN"))).contains("CAP_CHOWN");
    }

    @Test
    void masksRoundTrip() {
        assertThat(Caps.fromMask(0x1fffeffffffL)).hasSize(40).doesNotContain("CAP_SYS_RESOURCE");
        assertThat(Caps.toMask(Caps.DOCKER_DEFAULT)).isEqualTo(0xa80425fbL); // CapEff of a default docker container
        assertThat(Caps.fromMask(Caps.toMask(Caps.DOCKER_DEFAULT))).containsExactlyInAnyOrderElementsOf(Caps.DOCKER_DEFAULT);
    }
}
