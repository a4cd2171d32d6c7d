package io.berth.engine.container;

import io.berth.api.BerthException;
import io.berth.api.container.ContainerEngine;
import io.berth.api.container.ContainerListOptions;
import io.berth.api.container.ContainerSpec;
import io.berth.api.container.ContainerSummary;
import io.berth.api.container.Event;
import io.berth.api.container.EventOptions;
import io.berth.api.container.EventStream;
import io.berth.api.container.PruneReport;
import io.berth.api.container.WaitCondition;
import io.berth.api.image.PullOptions;
import io.berth.engine.Engine;
import io.berth.engine.EngineConfig;
import io.berth.engine.NativeEngine;
import io.berth.engine.registry.TestRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Events and prune against real containers (runc under conmon). */
class ContainerEventsTest {
    @TempDir static Path shared;
    static TestRegistry registry;
    static String image;

    Path root;
    Engine engine;
    ContainerEngine ctr;

    @BeforeAll
    static void pushBusybox() throws IOException {
        registry = TestRegistry.start(shared.resolve("registry"));
        image = ContainerServiceTest.pushBusyboxImage(registry);
    }

    @AfterAll
    static void stopRegistry() { registry.close(); }

    @BeforeEach
    void open() {
        root = Path.of("/tmp", "be-" + java.util.HexFormat.of().toHexDigits(java.util.concurrent.ThreadLocalRandom.current().nextInt()));
        engine = NativeEngine.open(EngineConfig.defaults(root));
        ctr = engine.containers();
        engine.images().pull(PullOptions.of(image), e -> { });
    }

    @AfterEach
    void close() throws IOException {
        for (ContainerSummary s : ctr.list(ContainerListOptions.ALL)) ctr.remove(s.id(), true, false);
        engine.close();
        try (var w = Files.walk(root)) {
            for (Path p : w.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private ContainerSpec spec(String... cmd) {
        return new ContainerSpec(null, image, List.of(cmd), null, null, null, null, null, Map.of("team", "a"), false, false, false, null, null, null);
    }

    private static List<Event> drain(EventStream s) throws InterruptedException {
        List<Event> out = new ArrayList<>();
        for (Event e; (e = s.next()) != null; ) out.add(e);
        return out;
    }

    @Test
    void aRunPublishesCreateAttachStartDieDestroyInOrderAndSinceReplaysThem() throws Exception {
        Instant t0 = Instant.now();
        EventStream live = ctr.events(EventOptions.LIVE);
        String id = ctr.create(spec("sh", "-c", "exit 3")).id();
        ctr.attach(id, io.berth.api.container.AttachOptions.OUTPUT).close();
        ctr.start(id);
        assertThat(ctr.wait(id, WaitCondition.NOT_RUNNING).statusCode()).isEqualTo(3);
        ctr.remove(id, false, false);
        Instant t1 = Instant.now();

        List<Event> got = new ArrayList<>();
        for (int i = 0; i < 5; i++) got.add(live.next());
        live.close();
        assertThat(live.next()).isNull();
        assertThat(got).extracting(Event::action).containsExactly("create", "attach", "start", "die", "destroy");
        assertThat(got).allSatisfy(e -> {
            assertThat(e.type()).isEqualTo("container");
            assertThat(e.actorId()).isEqualTo(id);
            assertThat(e.attributes()).containsEntry("image", image).containsEntry("team", "a").containsKey("name");
        });
        assertThat(got.get(3).attributes()).containsEntry("exitCode", "3");
        assertThat(got).extracting(Event::timeNano).isSorted();

        // since/until: the past is replayed and the stream ends at until
        List<Event> replay = drain(ctr.events(new EventOptions(t0, t1, Map.of())));
        assertThat(replay).extracting(Event::action).containsExactly("create", "attach", "start", "die", "destroy");
        // filters: event, type, container by name, label
        String name = got.getFirst().attributes().get("name");
        assertThat(drain(ctr.events(new EventOptions(t0, t1, Map.of("event", List.of("die", "start"))))))
                .extracting(Event::action).containsExactly("start", "die");
        assertThat(drain(ctr.events(new EventOptions(t0, t1, Map.of("container", List.of(name), "type", List.of("container")))))).hasSize(5);
        assertThat(drain(ctr.events(new EventOptions(t0, t1, Map.of("label", List.of("team=b")))))).isEmpty();
        assertThat(drain(ctr.events(new EventOptions(t0, t1, Map.of("image", List.of("other")))))).isEmpty();
        assertThat(drain(untilNow(ctr.events(new EventOptions(Instant.now(), null, Map.of()))))).isEmpty();
        assertThatThrownBy(() -> ctr.events(new EventOptions(null, null, Map.of("bogus", List.of("x")))))
                .isInstanceOf(BerthException.class).hasMessageContaining("invalid filter");
    }

    /** A live stream that is closed after a moment: no event arrives for an idle engine. */
    private static EventStream untilNow(EventStream s) {
        Thread.startVirtualThread(() -> {
            try { Thread.sleep(300); } catch (InterruptedException ignored) { }
            s.close();
        });
        return s;
    }

    @Test
    void stopKillPauseRenameAndExecArePublished() throws Exception {
        Instant t0 = Instant.now();
        String id = ctr.create(spec("sleep", "100")).id();
        ctr.start(id);
        ctr.pause(id);
        ctr.unpause(id);
        ctr.rename(id, "evt-renamed");
        String x = ctr.execCreate(id, io.berth.api.container.ExecSpec.of(List.of("true")));
        ctr.execStart(x, false, false).close();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (ctr.execInspect(x).exitCode() == null && System.nanoTime() < deadline) Thread.sleep(20);
        ctr.stop(id, 1, null);
        Instant t1 = Instant.now();
        List<Event> ev = drain(ctr.events(new EventOptions(t0, t1, Map.of())));
        assertThat(ev).extracting(Event::action).containsSubsequence("create", "start", "pause", "unpause", "rename",
                "exec_create: true", "exec_start: true", "kill", "die", "stop");
        assertThat(ev).filteredOn(e -> e.action().equals("kill")).first().satisfies(e -> assertThat(e.attributes()).containsEntry("signal", "15"));
        assertThat(ev).filteredOn(e -> e.action().equals("rename")).first().satisfies(e -> assertThat(e.attributes())
                .containsEntry("name", "evt-renamed").containsKey("oldName"));
        assertThat(ev).filteredOn(e -> e.action().equals("stop")).first().satisfies(e -> assertThat(e.attributes()).containsEntry("name", "evt-renamed"));
    }

    @Test
    void pruneRemovesStoppedContainersMatchingLabelsAndKeepsRunningOnes() throws Exception {
        String exited = ctr.create(spec("true")).id();
        ctr.start(exited);
        ctr.wait(exited, WaitCondition.NOT_RUNNING);
        String created = ctr.create(new ContainerSpec(null, image, List.of("true"), null, null, null, null, null, Map.of("keep", "1"),
                false, false, false, null, null, null)).id();
        String running = ctr.create(spec("sleep", "100")).id();
        ctr.start(running);

        PruneReport none = ctr.prune(Map.of("until", List.of("1h")));
        assertThat(none.deleted()).isEmpty();
        PruneReport r = ctr.prune(Map.of("label!", List.of("keep")));
        assertThat(r.deleted()).containsExactly(exited);
        assertThat(ctr.list(ContainerListOptions.ALL)).extracting(ContainerSummary::id).containsExactlyInAnyOrder(created, running);
        assertThat(ctr.prune(Map.of()).deleted()).containsExactly(created);
        assertThatThrownBy(() -> ctr.prune(Map.of("status", List.of("x")))).isInstanceOf(BerthException.class);
    }

    @Test
    void systemCheckReportsTheHostAndUnmountsAStaleRootfs() throws Exception {
        io.berth.api.container.SystemCheckReport clean = ctr.systemCheck();
        assertThat(clean.ok()).as(clean.toString()).isTrue();
        assertThat(clean.checks()).extracting(io.berth.api.container.SystemCheckReport.Check::name)
                .contains("runc", "conmon", "overlay", "cgroup", "nofile", "kernel", "openat2");
        assertThat(clean.checks()).filteredOn(c -> c.name().equals("runc")).first().satisfies(c -> assertThat(c.detail()).contains("runc version"));
        assertThat(clean.cleaned()).isEmpty();

        // a rootfs mount left by a container that has no record (a crash between mount and record removal)
        Path stale = root.resolve("containers").resolve("0".repeat(64)).resolve("rootfs");
        Files.createDirectories(stale);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "tmpfs", stale.toString()).inheritIO().start();
        assertThat(p.waitFor()).isZero();
        io.berth.api.container.SystemCheckReport r = ctr.systemCheck();
        assertThat(r.cleaned()).anySatisfy(l -> assertThat(l).contains("unmounted stale").contains(stale.toString()));
        assertThat(io.berth.engine.snapshot.Mounter.mountPointsUnder(root.resolve("containers"))).isEmpty();
        assertThat(SystemCheck.summary(r)).startsWith("preflight: ✓ runc");
    }

    @Test
    void imageEventsArePublished() throws Exception {
        engine.images().tag(image, "evt/tagged:1");
        engine.images().remove("evt/tagged:1", new io.berth.api.image.RemoveOptions(false, false));
        List<Event> ev = drain(ctr.events(new EventOptions(Instant.EPOCH, Instant.now(), Map.of("type", List.of("image")))));
        assertThat(ev).extracting(Event::action).containsExactly("pull", "tag", "untag");
        assertThat(ev.get(0).actorId()).isEqualTo(image);
        assertThat(ev.get(1).attributes()).containsEntry("name", "evt/tagged:1");
        assertThat(ev.get(1).actorId()).startsWith("sha256:");
        assertThat(drain(ctr.events(new EventOptions(Instant.EPOCH, Instant.now(), Map.of("image", List.of(image)))))).hasSize(1);
    }
}
