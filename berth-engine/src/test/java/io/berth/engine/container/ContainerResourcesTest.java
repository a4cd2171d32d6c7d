package io.berth.engine.container;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.api.BerthException;
import io.berth.api.container.ContainerEngine;
import io.berth.api.container.ContainerListOptions;
import io.berth.api.container.ContainerSpec;
import io.berth.api.container.ContainerStats;
import io.berth.api.container.ContainerSummary;
import io.berth.api.container.ContainerUpdate;
import io.berth.api.container.HostSpec;
import io.berth.api.container.ProcessList;
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
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** stats, top, update and OOM reporting on real containers (runc, cgroup v1 files read back). */
class ContainerResourcesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
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
        root = Path.of("/tmp", "br-" + java.util.HexFormat.of().toHexDigits(java.util.concurrent.ThreadLocalRandom.current().nextInt()));
        engine = NativeEngine.open(EngineConfig.defaults(root));
        ctr = engine.containers();
        engine.images().pull(PullOptions.of(image), e -> { });
    }

    @AfterEach
    void cleanUp() throws IOException {
        for (ContainerSummary s : ctr.list(ContainerListOptions.ALL)) ctr.remove(s.id(), true, false);
        engine.close();
        try (var w = Files.walk(root)) {
            for (Path p : w.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    static HostSpec limits(HostSpec.Resources r) {
        return new HostSpec(List.of(), List.of(), Map.of(), null, false, false, List.of(), List.of(), List.of(), false, null,
                List.of(), null, "no", 0, r, null, List.of(), Map.of(), null, null, null, null, null);
    }

    static HostSpec.Resources memory(long bytes, Long pids) {
        return new HostSpec.Resources(bytes, null, null, null, null, null, null, null, null, pids, null);
    }

    private String run(HostSpec h, String... cmd) {
        String id = ctr.create(ContainerSpec.of(image, List.of(cmd)).withHost(h)).id();
        ctr.start(id);
        return id;
    }

    /** The limits in force, read back through the host's cgroup layout (v1 here, v2 elsewhere). */
    private static Cgroups.Limits limits(String id) { return Cgroups.of("/berth/" + id).limits(); }

    @Test
    void statsSampleCpuMemoryAndPidsOfABusyContainer() {
        // A shell loop burns CPU so the two samples a second apart differ.
        String id = run(limits(memory(64L << 20, null)), "sh", "-c", "while true; do :; done");
        ContainerStats s = ctr.stats(id, false);
        assertThat(s.id()).isEqualTo(id);
        assertThat(s.pidsCurrent()).isGreaterThanOrEqualTo(1);
        assertThat(s.memory().limit()).isEqualTo(64L << 20);
        assertThat(s.memory().usage()).isPositive().isLessThan(64L << 20);
        assertThat(s.cpu().totalUsage()).isGreaterThan(s.precpu().totalUsage()).isPositive();
        assertThat(s.cpu().systemUsage()).isGreaterThan(s.precpu().systemUsage());
        assertThat(s.cpu().onlineCpus()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(s.preread()).isBefore(s.read());
        // busy loop: about one CPU's worth of the elapsed second (generous bounds for a loaded CI host)
        long delta = s.cpu().totalUsage() - s.precpu().totalUsage();
        assertThat(delta).isBetween(100_000_000L, 1_500_000_000L);

        ContainerStats one = ctr.stats(id, true);
        assertThat(one.preread()).isNull();
        assertThat(one.memory().stats()).containsKey(Cgroups.of("/x") instanceof CgroupV2 ? "anon" : "rss");
    }

    @Test
    void statsWithoutLimitShowsHostMemoryAndRefusesAStoppedContainer() {
        String id = ctr.create(ContainerSpec.of(image, List.of("sleep", "60"))).id();
        assertThatThrownBy(() -> ctr.stats(id, true)).isInstanceOf(BerthException.class)
                .hasFieldOrPropertyWithValue("kind", BerthException.Kind.CONFLICT);
        ctr.start(id);
        assertThat(ctr.stats(id, true).memory().limit()).isEqualTo(Cgroups.hostMemory());
    }

    @Test
    void topListsTheContainersProcessesOnly() {
        String id = run(limits(HostSpec.Resources.NONE), "sleep", "123");
        ProcessList p = ctr.top(id, null);
        assertThat(p.titles()).contains("PID", "CMD");
        assertThat(p.processes()).hasSize(1);
        assertThat(p.processes().getFirst().getLast()).isEqualTo("sleep 123");
        ProcessList aux = ctr.top(id, "-o pid,comm");
        assertThat(aux.titles()).containsExactly("PID", "COMMAND");
        assertThat(aux.processes()).extracting(List::getLast).containsExactly("sleep");
    }

    @Test
    void updateChangesLimitsLiveAndKeepsThem() throws IOException {
        String id = run(limits(memory(64L << 20, 50L)), "sleep", "60");
        assertThat(limits(id).memory()).isEqualTo(64L << 20);
        List<String> warnings = ctr.update(id, new ContainerUpdate(memory(32L << 20, 20L), null, null));
        assertThat(warnings).isEmpty();
        assertThat(limits(id).memory()).isEqualTo(32L << 20);
        assertThat(limits(id).pids()).isEqualTo(20L);
        assertThat(ctr.stats(id, true).pidsLimit()).isEqualTo(20L);
        HostSpec.Resources stored = ctr.inspect(id).spec().host().resources();
        assertThat(stored.memory()).isEqualTo(32L << 20);
        assertThat(stored.pidsLimit()).isEqualTo(20L);

        // Restarted: the stored limits apply again.
        ctr.update(id, new ContainerUpdate(null, "on-failure", 3));
        ctr.kill(id, null);
        ctr.wait(id, WaitCondition.NOT_RUNNING);
        ctr.start(id);
        assertThat(limits(id).memory()).isEqualTo(32L << 20);
        assertThat(ctr.inspect(id).spec().host().restartPolicy()).isEqualTo("on-failure");
    }

    @Test
    void oomKillIsReported() {
        String id = run(limits(memory(8L << 20, null)), "sh", "-c", "x=a; while true; do x=$x$x; done");
        int code = ctr.wait(id, WaitCondition.NOT_RUNNING).statusCode();
        assertThat(code).isEqualTo(137);
        assertThat(ctr.inspect(id).state().oomKilled()).isTrue();

        String ok = run(limits(memory(8L << 20, null)), "sh", "-c", "exit 0");
        assertThat(ctr.wait(ok, WaitCondition.NOT_RUNNING).statusCode()).isZero();
        assertThat(ctr.inspect(ok).state().oomKilled()).isFalse();
    }
}
