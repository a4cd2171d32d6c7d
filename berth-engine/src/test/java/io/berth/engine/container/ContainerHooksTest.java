package io.berth.engine.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.api.container.ContainerEngine;
import io.berth.api.container.ContainerListOptions;
import io.berth.api.container.ContainerSpec;
import io.berth.api.container.ContainerSummary;
import io.berth.api.container.WaitCondition;
import io.berth.api.image.PullOptions;
import io.berth.engine.Engine;
import io.berth.engine.EngineConfig;
import io.berth.engine.NativeEngine;
import io.berth.engine.registry.TestRegistry;
import io.berth.spec.runtime.Hooks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Daemon hooks run by runc for real: a prestart and a poststop hook from the engine configuration
 * (daemon.json "hooks") and a poststop rule from a hooks.d directory that applies only to containers
 * whose command matches. Each hook is a shell script appending the state JSON runc gives it on stdin
 * to a marker file named after its argument.
 */
class ContainerHooksTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir static Path shared;
    static TestRegistry registry;
    static String image;

    Path root;
    Engine engine;

    @BeforeAll
    static void pushBusybox() throws IOException {
        registry = TestRegistry.start(shared.resolve("registry"));
        image = ContainerServiceTest.pushBusyboxImage(registry);
    }

    @AfterAll
    static void stopRegistry() { registry.close(); }

    @AfterEach
    void cleanUp() throws IOException {
        if (engine != null) {
            ContainerEngine ctr = engine.containers();
            for (ContainerSummary s : ctr.list(ContainerListOptions.ALL)) ctr.remove(s.id(), true, false);
            engine.close();
        }
        try (var w = Files.walk(root)) {
            for (Path p : w.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    @Test
    void daemonHooksAndMatchingHooksDirRulesRunAroundTheContainer() throws Exception {
        root = Path.of("/tmp", "bhk-" + java.util.HexFormat.of().toHexDigits(java.util.concurrent.ThreadLocalRandom.current().nextInt()));
        Path marks = Files.createDirectories(root.resolve("marks"));
        Path script = root.resolve("hook.sh");
        // No PATH in a hook's environment unless given: absolute paths only.
        Files.writeString(script, "#!/bin/sh\n/bin/cat >> \"$MARKS/$1\"\necho >> \"$MARKS/$1\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        String env = "MARKS=" + marks;
        Hooks hooks = new Hooks(List.of(new Hooks.Hook(script.toString(), List.of("hook", "prestart"), List.of(env), 10)),
                null, null, null, null,
                List.of(new Hooks.Hook(script.toString(), List.of("hook", "poststop"), List.of(env), 10)));
        Path dir = Files.createDirectories(root.resolve("hooks.d"));
        Files.writeString(dir.resolve("10-true.json"), """
                {"version": "1.0.0",
                 "hook": {"path": "%s", "args": ["hook", "rule-poststop"], "env": ["%s"]},
                 "when": {"commands": ["^true$"]},
                 "stages": ["poststop"]}
                """.formatted(script, env));
        Files.writeString(dir.resolve("README"), "not a rule: only *.json files count");
        engine = NativeEngine.open(EngineConfig.defaults(root).withHooks(hooks, dir));
        ContainerEngine ctr = engine.containers();
        engine.images().pull(PullOptions.of(image), e -> { });

        String matched = ctr.create(ContainerSpec.of(image, List.of("true"))).id();
        ctr.start(matched);
        assertThat(ctr.wait(matched, WaitCondition.NOT_RUNNING).statusCode()).isZero();
        ctr.remove(matched, false, false);
        String other = ctr.create(ContainerSpec.of(image, List.of("sh", "-c", "exit 3"))).id();
        ctr.start(other);
        assertThat(ctr.wait(other, WaitCondition.NOT_RUNNING).statusCode()).isEqualTo(3);
        ctr.remove(other, false, false);

        List<JsonNode> pre = states(marks.resolve("prestart"));
        assertThat(pre).extracting(n -> n.get("id").asText()).containsExactlyInAnyOrder(matched, other);
        // prestart runs during create, before the user's process: the container exists with a pid
        // (runc 1.1 reports "creating" to prestart and createRuntime hooks).
        assertThat(pre).allSatisfy(n -> {
            assertThat(n.get("status").asText()).isIn("creating", "created");
            assertThat(n.get("pid").asInt()).isPositive();
            assertThat(n.get("bundle").asText()).startsWith(root.toString());
        });
        List<JsonNode> post = states(marks.resolve("poststop"));
        assertThat(post).extracting(n -> n.get("id").asText()).containsExactlyInAnyOrder(matched, other);
        assertThat(post).allSatisfy(n -> assertThat(n.get("status").asText()).isEqualTo("stopped"));
        // The hooks.d rule ran for "true" only.
        assertThat(states(marks.resolve("rule-poststop"))).extracting(n -> n.get("id").asText()).containsExactly(matched);
    }

    private static List<JsonNode> states(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(file)) return out;
        for (String l : Files.readAllLines(file)) if (!l.isBlank()) out.add(JSON.readTree(l));
        return out;
    }
}
