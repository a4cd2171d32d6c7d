package io.berth.it;

import io.berth.it.fixture.CommandResult;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code docker events}, {@code docker container prune} and {@code berth system check} against the real berthd. */
class EventsIT extends OnBusyboxDaemon {
    @Test
    void dockerEventsShowsARunRmContainersLifecycle() {
        long since = Instant.now().getEpochSecond();
        docker.ok("run", "--rm", "--name", "it-events", "--label", "evt=1", image, "true");
        long until = Instant.now().getEpochSecond() + 1;
        CommandResult r = docker.ok("events", "--since", Long.toString(since), "--until", Long.toString(until),
                "--filter", "container=it-events", "--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.evt}}");
        List<String> lines = r.lines();
        assertThat(lines).containsSubsequence("container create it-events 1", "container start it-events 1",
                "container die it-events 1", "container destroy it-events 1");
        CommandResult die = docker.ok("events", "--since", Long.toString(since), "--until", Long.toString(until),
                "--filter", "event=die", "--filter", "label=evt=1", "--format", "{{.Actor.Attributes.exitCode}}");
        assertThat(die.lines()).containsExactly("0");
    }

    @Test
    void containerPruneRemovesAnExitedContainer() {
        String id = docker.ok("run", "-d", "--name", "it-prune", image, "true").out();
        docker.ok("wait", "it-prune");
        CommandResult r = docker.ok("container", "prune", "-f");
        assertThat(r.stdout()).contains("Deleted Containers:").contains(id).contains("Total reclaimed space:");
        assertThat(docker.run("inspect", "it-prune").stderr()).contains("No such");
    }

    @Test
    void berthSystemCheckPassesAndListsRuncAndConmon() {
        CommandResult r = berth.run("system", "check");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).contains("✓ runc: ").contains("✓ conmon: ").contains("cgroup").contains("nofile");
        assertThat(daemon.logText()).contains("preflight: ✓ runc");
    }
}
