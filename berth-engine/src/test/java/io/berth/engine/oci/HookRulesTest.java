package io.berth.engine.oci;

import io.berth.api.BerthException;
import io.berth.spec.runtime.Hooks;
import io.berth.spec.runtime.Mount;
import io.berth.spec.runtime.Spec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** hooks.d rules (podman's schema 1.0.0): parsing, checks, and which containers they match. */
class HookRulesTest {
    @TempDir Path dir;

    private HookRules.Rule rule(String when, String stages) {
        return HookRules.parse("t.json", ("""
                {"version": "1.0.0", "hook": {"path": "/bin/true", "args": ["true"]}, "when": %s, "stages": %s}
                """.formatted(when, stages)).getBytes(StandardCharsets.UTF_8));
    }

    private static Spec spec(List<String> args, Map<String, String> ann, List<Mount> mounts) {
        Spec s = SpecGenerator.dockerDefaults(DaemonDefaults.DEFAULT_SHM_SIZE);
        s = s.withProcess(s.process().withArgs(args)).withAnnotations(ann);
        if (mounts != null) s = s.withMounts(mounts);
        return s;
    }

    @Test
    void conditionsMatchAsPodmanDoes() {
        Spec java = spec(List.of("/usr/bin/java", "-jar"), Map.of("com.example.gpu", "true"), null);
        Spec sh = spec(List.of("sh"), Map.of(), null);
        Spec bound = spec(List.of("sh"), Map.of(), List.of(new Mount("/data", "bind", "/srv", List.of("rbind", "rw"))));
        assertThat(rule("{\"always\": true}", "[\"prestart\"]").matches(sh)).isTrue();
        HookRules.Rule cmd = rule("{\"commands\": [\"/java$\"]}", "[\"prestart\"]");
        assertThat(cmd.matches(java)).isTrue();
        assertThat(cmd.matches(sh)).isFalse();
        HookRules.Rule ann = rule("{\"annotations\": {\"^com\\\\.example\\\\.gpu$\": \"^true$\"}}", "[\"poststop\"]");
        assertThat(ann.matches(java)).isTrue();
        assertThat(ann.matches(sh)).isFalse();
        HookRules.Rule binds = rule("{\"hasBindMounts\": true}", "[\"poststop\"]");
        assertThat(binds.matches(bound)).isTrue();
        assertThat(binds.matches(sh)).as("the default mounts are not bind mounts").isFalse();
        HookRules.Rule never = rule("{\"always\": false}", "[\"prestart\"]");
        assertThat(never.matches(java)).isFalse();

        Hooks h = new HookRules(List.of(cmd, ann, binds)).matching(java);
        assertThat(h.prestart()).hasSize(1);
        assertThat(h.poststop()).hasSize(1);
        assertThat(new HookRules(List.of(cmd)).matching(sh).isEmpty()).isTrue();
    }

    @Test
    void malformedRulesAreRefusedNamingTheFile() throws IOException {
        Path plain = Files.writeString(dir.resolve("plain"), "not executable");
        assertThatThrownBy(() -> rule("{}", "[\"prestart\"]")).hasMessageContaining("t.json: when must have at least one condition");
        assertThatThrownBy(() -> rule("{\"always\": true}", "[\"prestop\"]")).hasMessageContaining("t.json: unknown stage prestop");
        assertThatThrownBy(() -> rule("{\"always\": true}", "[]")).hasMessageContaining("stages must name at least one stage");
        assertThatThrownBy(() -> rule("{\"commands\": [\"(\"]}", "[\"prestart\"]")).hasMessageContaining("when.commands: invalid regular expression (");
        assertThatThrownBy(() -> HookRules.parse("v.json", "{\"version\": \"2.0.0\"}".getBytes()))
                .isInstanceOfSatisfying(BerthException.class, e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.INVALID_ARGUMENT))
                .hasMessageContaining("v.json: unsupported version 2.0.0");
        assertThatThrownBy(() -> HookRules.parse("x.json", "{\"version\": \"1.0.0\", \"hook\": {\"path\": \"rel/hook\"}, \"when\": {\"always\": true}, \"stages\": [\"prestart\"]}".getBytes()))
                .hasMessageContaining("x.json: hook.path must be absolute, got rel/hook");
        assertThatThrownBy(() -> HookRules.parse("y.json", ("{\"version\": \"1.0.0\", \"hook\": {\"path\": \"" + plain + "\"}, \"when\": {\"always\": true}, \"stages\": [\"prestart\"]}").getBytes()))
                .hasMessageContaining("not executable");
        assertThatThrownBy(() -> HookRules.parse("z.json", "{\"version\": \"1.0.0\", \"hoook\": {}}".getBytes()))
                .hasMessageContaining("z.json: invalid JSON");
    }

    @Test
    void aDirectoryIsReadInNameOrderAndOnlyItsJsonFiles() throws IOException {
        for (String n : List.of("20-b.json", "10-a.json")) {
            Files.writeString(dir.resolve(n), """
                    {"version": "1.0.0", "hook": {"path": "/bin/true", "args": ["%s"]}, "when": {"always": true}, "stages": ["poststart"]}
                    """.formatted(n));
        }
        Files.writeString(dir.resolve("notes.txt"), "ignored");
        HookRules r = HookRules.load(dir);
        assertThat(r.rules()).extracting(HookRules.Rule::file).containsExactly(dir.resolve("10-a.json").toString(), dir.resolve("20-b.json").toString());
        assertThat(r.matching(spec(List.of("sh"), Map.of(), null)).poststart()).extracting(h -> h.args().getFirst())
                .containsExactly("10-a.json", "20-b.json");
        assertThat(HookRules.load(dir.resolve("missing")).rules()).isEmpty();
        Files.writeString(dir.resolve("30-bad.json"), "{");
        assertThatThrownBy(() -> HookRules.load(dir)).hasMessageContaining("30-bad.json: invalid JSON");
    }
}
