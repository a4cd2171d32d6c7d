package io.berth.engine.container;

import io.berth.api.BerthException;
import io.berth.api.container.ContainerSpec;
import io.berth.api.container.ContainerState.Status;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pure rules: signals, the state table, names and IDs, Docker's status texts. */
class ContainerRulesTest {
    @Test
    void parsesSignalsAsDockerKillDoes() {
        assertThat(Signals.parse(null, 9)).isEqualTo(9);
        assertThat(Signals.parse("", 15)).isEqualTo(15);
        assertThat(Signals.parse("KILL", 0)).isEqualTo(9);
        assertThat(Signals.parse("SIGTERM", 0)).isEqualTo(15);
        assertThat(Signals.parse("sigusr1", 0)).isEqualTo(10);
        assertThat(Signals.parse("hup", 0)).isEqualTo(1);
        assertThat(Signals.parse("28", 0)).isEqualTo(28);
        assertThat(Signals.parse("WINCH", 0)).isEqualTo(28);
        assertThat(Signals.parse("RTMIN+2", 0)).isEqualTo(36);
        for (String bad : List.of("0", "65", "NOPE", "SIG", "-1", "RTMIN+40")) {
            assertThatThrownBy(() -> Signals.parse(bad, 0)).isInstanceOfSatisfying(BerthException.class, e -> {
                assertThat(e.kind()).isEqualTo(BerthException.Kind.INVALID_ARGUMENT);
                assertThat(e.getMessage()).isEqualTo("Invalid signal: " + bad);
            });
        }
    }

    @Test
    void stateTableAllowsDockersTransitionsOnly() {
        assertThat(Transitions.allowed(Status.CREATED, Status.RUNNING)).isTrue();
        assertThat(Transitions.allowed(Status.RUNNING, Status.PAUSED)).isTrue();
        assertThat(Transitions.allowed(Status.PAUSED, Status.RUNNING)).isTrue();
        assertThat(Transitions.allowed(Status.EXITED, Status.RUNNING)).isTrue();
        assertThat(Transitions.allowed(Status.EXITED, Status.REMOVING)).isTrue();
        assertThat(Transitions.allowed(Status.CREATED, Status.PAUSED)).isFalse();
        assertThat(Transitions.allowed(Status.EXITED, Status.PAUSED)).isFalse();
        assertThat(Transitions.allowed(Status.REMOVING, Status.RUNNING)).isFalse();
        assertThatThrownBy(() -> Transitions.check("abc", Status.REMOVING, Status.RUNNING))
                .isInstanceOfSatisfying(BerthException.class, e -> {
                    assertThat(e.kind()).isEqualTo(BerthException.Kind.CONFLICT);
                    assertThat(e.getMessage()).isEqualTo("Container abc is removing: cannot become running");
                });
    }

    @Test
    void idsAreHexAndNamesAreDockerLike() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 100; i++) ids.add(Names.newId());
        assertThat(ids).hasSize(100).allMatch(s -> s.matches("[0-9a-f]{64}"));
        assertThat(Names.generate(n -> false)).matches("[a-z]+_[a-z]+");
        // every plain name taken: a digit is appended
        assertThat(Names.generate(n -> !n.matches(".*\\d"))).matches("[a-z]+_[a-z]+\\d");
        assertThat(Names.valid("web-1.a_b")).isTrue();
        assertThat(Names.valid("-x")).isFalse();
        assertThat(Names.valid("a")).isFalse();
        assertThat(Names.valid("a/b")).isFalse();
    }

    @Test
    void statusTextsAreDockers() {
        Instant now = Instant.parse("2026-01-01T12:00:00Z");
        ContainerRecord r = new ContainerRecord("id", "n", ContainerSpec.of("img", List.of("true")), "sha256:x", null, now,
                Status.CREATED, 0, 0, null, null, null, 0, false, "k");
        assertThat(ContainerService.statusText(r, now)).isEqualTo("Created");
        ContainerRecord up = r.started(42, now.minusSeconds(3), false);
        assertThat(ContainerService.statusText(up, now)).isEqualTo("Up 3 seconds");
        assertThat(ContainerService.statusText(up.withStatus(Status.PAUSED), now)).isEqualTo("Up 3 seconds (Paused)");
        assertThat(ContainerService.statusText(up.exited(137, now.minusSeconds(120), null), now)).isEqualTo("Exited (137) 2 minutes ago");
        assertThat(ContainerService.human(Duration.ofMillis(300))).isEqualTo("Less than a second");
        assertThat(ContainerService.human(Duration.ofSeconds(1))).isEqualTo("1 second");
        assertThat(ContainerService.human(Duration.ofSeconds(90))).isEqualTo("About a minute");
        assertThat(ContainerService.human(Duration.ofMinutes(59))).isEqualTo("59 minutes");
        assertThat(ContainerService.human(Duration.ofMinutes(61))).isEqualTo("About an hour");
        assertThat(ContainerService.human(Duration.ofHours(5))).isEqualTo("5 hours");
        assertThat(ContainerService.human(Duration.ofDays(3))).isEqualTo("3 days");
    }
}
