package io.berth.engine.registry;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AuthChallengeTest {
    @Test
    void parsesDockerHubBearerChallenge() {
        List<AuthChallenge> c = AuthChallenge.parse(
                "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/busybox:pull\"");
        assertThat(c).hasSize(1);
        assertThat(c.getFirst().isBearer()).isTrue();
        assertThat(c.getFirst().realm()).isEqualTo("https://auth.docker.io/token");
        assertThat(c.getFirst().service()).isEqualTo("registry.docker.io");
        assertThat(c.getFirst().scope()).isEqualTo("repository:library/busybox:pull");
    }

    @Test
    void parsesBasicWithUnquotedRealmAndMixedCase() {
        List<AuthChallenge> c = AuthChallenge.parse("BASIC Realm=berth-test");
        assertThat(c).containsExactly(new AuthChallenge("basic", Map.of("realm", "berth-test")));
    }

    @Test
    void parsesSeveralChallengesInOneHeaderWithSpacesAndEscapes() {
        List<AuthChallenge> c = AuthChallenge.parse(
                "Basic realm=\"a, b\" , Bearer realm = \"https://x/token\", service=\"s\\\"q\", error=\"insufficient_scope\"");
        assertThat(c).hasSize(2);
        assertThat(c.get(0).scheme()).isEqualTo("basic");
        assertThat(c.get(0).realm()).isEqualTo("a, b");
        assertThat(c.get(1).realm()).isEqualTo("https://x/token");
        assertThat(c.get(1).service()).isEqualTo("s\"q");
        assertThat(c.get(1).params()).containsEntry("error", "insufficient_scope");
    }

    @Test
    void skipsToken68AndReadsAcrossHeaderValues() {
        List<AuthChallenge> c = AuthChallenge.parse(List.of("Negotiate abc==", "Bearer realm=\"r\""));
        assertThat(c).extracting(AuthChallenge::scheme).containsExactly("negotiate", "bearer");
        assertThat(c.get(1).realm()).isEqualTo("r");
    }

    @Test
    void toleratesGarbage() {
        assertThat(AuthChallenge.parse((String) null)).isEmpty();
        assertThat(AuthChallenge.parse("")).isEmpty();
        assertThat(AuthChallenge.parse("Bearer realm=\"unterminated")).singleElement()
                .satisfies(a -> assertThat(a.realm()).isEqualTo("unterminated"));
        assertThat(AuthChallenge.parse("=,,=\"x\"")).noneMatch(a -> a.isBasic() || a.isBearer());
    }
}
