package io.berth.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.it.fixture.BusyboxDaemon;
import io.berth.it.fixture.HostTraces;
import io.berth.it.fixture.LogOnFailure;
import io.berth.it.fixture.UnixHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hygiene: 200 create/start/remove cycles of real runc containers under the real berthd leave no
 * mount, cgroup, conmon, runtime state, per-container file or snapshot behind. The cycles go
 * through the Engine API directly (not the docker CLI) to stay fast: every tenth one is a
 * long-running container that gets an exec and is then removed with force, the rest run {@code true}
 * to completion and are removed after {@code wait}.
 */
class LeakIT {
    @RegisterExtension
    static final LogOnFailure LOGS = new LogOnFailure();
    static final ObjectMapper JSON = new ObjectMapper();
    /** {@code -Dberth.it.leakCycles=N} for a longer soak. */
    static final int CYCLES = Integer.getInteger("berth.it.leakCycles", 200);
    static final int PARALLEL = 8;

    static BusyboxDaemon env;
    static Path root;

    @BeforeAll
    static void up() {
        env = BusyboxDaemon.start(LOGS);
        root = env.daemon.root();
    }

    @AfterAll
    static void down() {
        if (env == null) return;
        try {
            for (String id : env.docker.run("ps", "-aq").lines()) env.docker.run("rm", "-f", id);
        } finally {
            HostTraces.reap(root);
            env.close();
        }
    }

    @Test
    void cyclesLeaveNoMountCgroupProcessFileOrSnapshot() throws Exception {
        // One cycle of each kind first, so the directories the daemon creates lazily exist in "before".
        List<String> warmUp = List.of(cycle(0), cycle(3));
        HostTraces before = settled(warmUp, null);
        assertThat(before.mounts()).as("mounts under the root before the cycles").noneMatch(m -> m.startsWith("containers/"));
        assertThat(before.conmons()).isEmpty();
        assertThat(before.files()).isEmpty();

        Queue<String> ids = new ConcurrentLinkedQueue<>();
        AtomicInteger next = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(PARALLEL)) {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < PARALLEL; w++) {
                workers.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < CYCLES; i = next.getAndIncrement()) ids.add(cycle(i));
                    return null;
                }));
            }
            for (Future<?> f : workers) f.get();
        }
        assertThat(ids).hasSize(CYCLES).doesNotHaveDuplicates();
        assertThat(env.docker.ok("ps", "-aq").lines()).isEmpty();

        HostTraces after = settled(List.copyOf(ids), before);
        assertThat(after).as("host traces of %d removed containers", CYCLES).isEqualTo(before);
        assertThat(HostTraces.lastingZombies(root, List.of(env.daemon.pid()), java.time.Duration.ofSeconds(15))).isEmpty();
    }

    /**
     * The traces once they stop changing towards {@code expected}: conmon lingers a moment after its
     * container exits, so a snapshot right after the last removal may still see it.
     */
    private static HostTraces settled(List<String> ids, HostTraces expected) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        HostTraces t = HostTraces.of(root, ids);
        while (System.nanoTime() < deadline && (expected != null ? !t.equals(expected) : !t.conmons().isEmpty())) {
            Thread.sleep(200);
            t = HostTraces.of(root, ids);
        }
        return t;
    }

    /** Create, start, (exec,) remove one container; returns its id. */
    private static String cycle(int i) throws IOException {
        boolean withExec = i % 10 == 3;
        String cmd = withExec ? "[\"sleep\",\"1000\"]" : "[\"true\"]";
        JsonNode created = json(expect(201, call("POST", "/containers/create",
                "{\"Image\":\"" + env.image + "\",\"Cmd\":" + cmd + ",\"HostConfig\":{\"NetworkMode\":\"none\"}}")));
        String id = created.get("Id").asText();
        expect(204, call("POST", "/containers/" + id + "/start", null));
        if (withExec) {
            String exec = json(expect(201, call("POST", "/containers/" + id + "/exec",
                    "{\"Cmd\":[\"sh\",\"-c\",\"echo exec-" + i + "\"],\"AttachStdout\":true,\"AttachStderr\":true}"))).get("Id").asText();
            UnixHttp.Response out = expect(200, call("POST", "/exec/" + exec + "/start", "{\"Detach\":false,\"Tty\":false}"));
            assertThat(new String(out.body(), StandardCharsets.ISO_8859_1)).contains("exec-" + i);
            assertThat(json(expect(200, call("GET", "/exec/" + exec + "/json", null))).get("ExitCode").asInt()).isZero();
            expect(204, call("DELETE", "/containers/" + id + "?force=true", null));
        } else {
            assertThat(json(expect(200, call("POST", "/containers/" + id + "/wait", null))).get("StatusCode").asInt()).isZero();
            expect(204, call("DELETE", "/containers/" + id, null));
        }
        return id;
    }

    private static UnixHttp.Response call(String method, String path, String body) throws IOException {
        return UnixHttp.request(env.daemon.socket(), method, path, body == null ? null : "application/json",
                body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    private static UnixHttp.Response expect(int status, UnixHttp.Response r) {
        assertThat(r.status()).as("HTTP status, body: %s", r.text()).isEqualTo(status);
        return r;
    }

    private static JsonNode json(UnixHttp.Response r) throws IOException {
        return JSON.readTree(r.body());
    }
}
