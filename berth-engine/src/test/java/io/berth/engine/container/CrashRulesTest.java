package io.berth.engine.container;

import io.berth.api.container.ContainerSpec;
import io.berth.api.container.ContainerState.Status;
import io.berth.api.container.HostSpec;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The pure rules behind daemon-start restarts and the ps name filter. */
class CrashRulesTest {
    @Test
    void daemonStartRestartsFollowDockersDocumentedPolicies() {
        assertThat(StartupRestarts.wanted(rec("always", 0, Status.EXITED, 0, 0, true))).as("always, even after a manual stop").isTrue();
        assertThat(StartupRestarts.wanted(rec("unless-stopped", 0, Status.EXITED, 137, 0, true))).isFalse();
        assertThat(StartupRestarts.wanted(rec("unless-stopped", 0, Status.EXITED, 0, 0, false))).isTrue();
        assertThat(StartupRestarts.wanted(rec("on-failure", 3, Status.EXITED, 1, 2, false))).isTrue();
        assertThat(StartupRestarts.wanted(rec("on-failure", 3, Status.EXITED, 1, 3, false))).as("retries used up").isFalse();
        assertThat(StartupRestarts.wanted(rec("on-failure", 0, Status.EXITED, 0, 0, false))).as("exit 0").isFalse();
        assertThat(StartupRestarts.wanted(rec("on-failure", 0, Status.EXITED, 137, 0, true))).as("stopped by a user").isFalse();
        assertThat(StartupRestarts.wanted(rec("no", 0, Status.EXITED, 1, 0, false))).isFalse();
        assertThat(StartupRestarts.wanted(rec("always", 0, Status.CREATED, 0, 0, false))).as("never started").isFalse();
        ContainerRecord rm = rec("no", 0, Status.EXITED, 0, 0, false);
        rm = rm.withSpec(rm.spec().withHost(rm.spec().host().withAutoRemove(true)));
        assertThat(StartupRestarts.removeInstead(rm)).as("--rm that exited before its removal").isTrue();
        assertThat(StartupRestarts.wanted(rm)).isFalse();
        assertThat(StartupRestarts.removeInstead(rm.withStatus(Status.CREATED))).as("docker create --rm, never started").isFalse();
    }

    @Test
    void onlyPolicyRestartsCountAndOtherStartsResetTheCount() {
        ContainerRecord r = rec("on-failure", 5, Status.EXITED, 1, 2, false);
        assertThat(r.started(10, Instant.now(), true).restartCount()).isEqualTo(3);
        assertThat(r.started(10, Instant.now(), false).restartCount()).as("docker start / restart / daemon start").isZero();
    }

    @Test
    void nameFilterIsARegexWithOrWithoutTheSlash() {
        assertThat(NameFilter.matches("web", "my-web-1")).isTrue();
        assertThat(NameFilter.matches("^web$", "web")).isTrue();
        assertThat(NameFilter.matches("^/web$", "web")).isTrue();
        assertThat(NameFilter.matches("^web$", "web2")).isFalse();
        assertThat(NameFilter.matches("/web", "web")).isTrue();
        assertThat(NameFilter.matches("[", "web")).as("invalid regex matches nothing").isFalse();
    }

    private static ContainerRecord rec(String policy, int retries, Status status, int exitCode, int restarts, boolean manual) {
        HostSpec d = HostSpec.DEFAULT;
        HostSpec h = new HostSpec(d.binds(), d.mounts(), d.tmpfs(), d.networkMode(), false, false, d.capAdd(), d.capDrop(),
                d.securityOpt(), false, null, d.ulimits(), null, policy, retries, d.resources(), null, d.groupAdd(), d.sysctls(),
                null, null, null, null, null);
        ContainerSpec spec = ContainerSpec.of("img", List.of("true")).withHost(h);
        return new ContainerRecord("id", "name", spec, "sha256:x", null, Instant.now(), status, 0, exitCode, null, Instant.now(),
                Instant.now(), restarts, manual, "container-id");
    }
}
