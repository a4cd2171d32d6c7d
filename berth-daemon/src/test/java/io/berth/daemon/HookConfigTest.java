package io.berth.daemon;

import io.berth.spec.runtime.Hooks;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** daemon.json "hooks" and "hooks-dir": parsed, and checked at start with messages naming the key. */
class HookConfigTest {
    @TempDir Path dir;
    Path exe, plain;

    @BeforeEach
    void scripts() throws IOException {
        exe = dir.resolve("hook.sh");
        Files.writeString(exe, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
        plain = dir.resolve("plain");
        Files.writeString(plain, "not executable");
    }

    private DaemonConfig parse(String json) throws DaemonException {
        return DaemonConfig.parse("d.json", json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void hooksInTheRuntimeSpecsShape() throws Exception {
        DaemonConfig c = parse("""
                {"hooks": {"prestart": [{"path": "%1$s", "args": ["hook", "pre"], "env": ["A=1"], "timeout": 5}],
                           "createRuntime": [{"path": "%1$s"}], "createContainer": [{"path": "%1$s"}],
                           "startContainer": [{"path": "%1$s"}], "poststart": [{"path": "%1$s"}],
                           "poststop": [{"path": "%1$s", "args": ["hook", "a"]}, {"path": "%1$s", "args": ["hook", "b"]}]},
                 "max-concurrent-downloads": 2}
                """.formatted(exe));
        assertThat(c.unknownKeys()).isEmpty();
        assertThat(c.hooks().prestart()).containsExactly(new Hooks.Hook(exe.toString(), List.of("hook", "pre"), List.of("A=1"), 5));
        assertThat(c.hooks().createRuntime()).hasSize(1);
        assertThat(c.hooks().createContainer()).hasSize(1);
        assertThat(c.hooks().startContainer()).hasSize(1);
        assertThat(c.hooks().poststart()).hasSize(1);
        assertThat(c.hooks().poststop()).extracting(h -> h.args().get(1)).containsExactly("a", "b");
        assertThat(c.hooksDir()).isNull();
        assertThat(parse("{}").hooks().isEmpty()).isTrue();
        assertThat(DaemonConfig.DEFAULTS.hooks().isEmpty()).isTrue();
    }

    @Test
    void badHooksFailNamingTheKey() {
        assertThatThrownBy(() -> parse("{\"hooks\": [1]}")).hasMessageContaining("reading config d.json: hooks must be an object");
        assertThatThrownBy(() -> parse("{\"hooks\": {\"prestop\": []}}")).hasMessageContaining("hooks.prestop: unknown phase");
        assertThatThrownBy(() -> parse("{\"hooks\": {\"prestart\": {\"path\": \"/bin/true\"}}}")).hasMessageContaining("hooks.prestart must be a list");
        assertThatThrownBy(() -> parse("{\"hooks\": {\"prestart\": [{}]}}")).hasMessageContaining("hooks.prestart[0].path is required");
        assertThatThrownBy(() -> parse("{\"hooks\": {\"poststop\": [{\"path\": \"%s\"}, {\"path\": \"hook.sh\"}]}}".formatted(exe)))
                .hasMessageContaining("hooks.poststop[1].path must be absolute, got hook.sh");
        assertThatThrownBy(() -> parse("{\"hooks\": {\"poststart\": [{\"path\": \"%s\"}]}}".formatted(plain)))
                .hasMessageContaining("hooks.poststart[0].path " + plain + ": not executable");
        assertThatThrownBy(() -> parse("{\"hooks\": {\"poststart\": [{\"path\": \"/nonexistent/hook\"}]}}"))
                .hasMessageContaining("hooks.poststart[0].path /nonexistent/hook: no such file");
        assertThatThrownBy(() -> parse("{\"hooks\": {\"prestart\": [{\"path\": \"%s\", \"timeout\": 0}]}}".formatted(exe)))
                .hasMessageContaining("hooks.prestart[0].timeout must be a positive number");
        assertThatThrownBy(() -> parse("{\"hooks\": {\"prestart\": [{\"path\": \"%s\", \"args\": \"x\"}]}}".formatted(exe)))
                .hasMessageContaining("hooks.prestart[0].args must be a list of strings");
        assertThatThrownBy(() -> parse("{\"hooks\": {\"prestart\": [{\"path\": \"%s\", \"argv\": []}]}}".formatted(exe)))
                .hasMessageContaining("hooks.prestart[0].argv: unknown key");
    }

    @Test
    void hooksDirIsCheckedFileByFile() throws Exception {
        Path d = Files.createDirectories(dir.resolve("hooks.d"));
        Files.writeString(d.resolve("a.json"), """
                {"version": "1.0.0", "hook": {"path": "%s"}, "when": {"always": true}, "stages": ["prestart"]}
                """.formatted(exe));
        assertThat(parse("{\"hooks-dir\": \"%s\"}".formatted(d)).hooksDir()).isEqualTo(d);
        assertThatThrownBy(() -> parse("{\"hooks-dir\": \"rel/dir\"}")).hasMessageContaining("hooks-dir must be absolute");
        assertThatThrownBy(() -> parse("{\"hooks-dir\": \"%s\"}".formatted(dir.resolve("nope")))).hasMessageContaining("no such directory");
        Files.writeString(d.resolve("b.json"), """
                {"version": "1.0.0", "hook": {"path": "%s"}, "when": {"always": true}, "stages": ["prestart"]}
                """.formatted(plain));
        assertThatThrownBy(() -> parse("{\"hooks-dir\": \"%s\"}".formatted(d)))
                .hasMessageContaining("reading config d.json: hooks-dir: ")
                .hasMessageContaining("b.json: hook.path " + plain + ": not executable");
    }

    /** The daemon hands the hooks to the engine it opens, and refuses to start on a bad one before opening anything. */
    @Test
    void theDaemonPassesHooksToTheEngineAndRefusesBadOnes() throws Exception {
        Path d = Files.createDirectories(dir.resolve("hooks.d"));
        Path config = Files.writeString(dir.resolve("daemon.json"), """
                {"hooks": {"poststop": [{"path": "%s", "args": ["hook", "down"]}]}, "hooks-dir": "%s"}
                """.formatted(exe, d));
        Path root = dir.resolve("root"), sock = dir.resolve("b.sock");
        List<io.berth.engine.EngineConfig> seen = new java.util.ArrayList<>();
        Daemon daemon = Daemon.start(DaemonOptions.parse("--root", root.toString(), "--host", "unix://" + sock, "--config", config.toString()),
                c -> { seen.add(c); return new StubEngine(c); });
        daemon.close();
        assertThat(seen.getFirst().hooks().poststop()).containsExactly(new Hooks.Hook(exe.toString(), List.of("hook", "down"), null, null));
        assertThat(seen.getFirst().hooksDir()).isEqualTo(d);

        Files.writeString(config, "{\"hooks\": {\"prestart\": [{\"path\": \"%s\"}]}}".formatted(plain));
        List<io.berth.engine.EngineConfig> none = new java.util.ArrayList<>();
        assertThatThrownBy(() -> Daemon.start(DaemonOptions.parse("--root", root.toString(), "--host", "unix://" + sock, "--config", config.toString()),
                c -> { none.add(c); return new StubEngine(c); }))
                .isInstanceOf(DaemonException.class)
                .hasMessage("reading config " + config + ": hooks.prestart[0].path " + plain + ": not executable");
        assertThat(none).isEmpty();
    }
}
