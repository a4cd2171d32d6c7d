package io.berth.engine.oci;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.api.BerthException;
import io.berth.spec.runtime.Hooks;
import io.berth.spec.runtime.Mount;
import io.berth.spec.runtime.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;

/**
 * Hooks chosen per container from a hooks directory in podman's {@code hooks.d} format, schema 1.0.0
 * (oci-hooks(5)), so hook packages written for podman/CRI-O work unchanged:
 * <pre>{@code
 * {"version": "1.0.0",
 *  "hook": {"path": "/usr/libexec/oci/hooks.d/nvidia", "args": ["nvidia", "prestart"], "timeout": 10},
 *  "when": {"annotations": {"^com\\.example\\.gpu$": "^true$"}, "commands": ["/java$"], "hasBindMounts": true},
 *  "stages": ["prestart", "poststop"]}
 * }</pre>
 * A rule applies when any of its {@code when} conditions holds: {@code always}; an annotation whose
 * key and value match one pair of regular expressions (unanchored, as Go's MatchString in podman); {@code process.args[0]} matching one of the
 * {@code commands}; or a bind mount in the spec when {@code hasBindMounts}. Files are read once, at
 * engine start, in file-name order (that is also the order of their hooks within a stage); only
 * {@code *.json} files count, as in podman. Every malformed file is an error naming the file: a hook
 * silently not running is worse than a daemon that refuses to start.
 */
public record HookRules(List<Rule> rules) {
    public static final HookRules NONE = new HookRules(List.of());
    static final Set<String> STAGES = Set.of("prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop");
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public HookRules {
        rules = List.copyOf(rules);
    }

    /** One file's rule, its patterns compiled. */
    public record Rule(String file, Hooks.Hook hook, boolean always, Map<Pattern, Pattern> annotations,
                       List<Pattern> commands, boolean hasBindMounts, List<String> stages) {
        boolean matches(Spec s) {
            if (always) return true;
            Map<String, String> ann = s.annotations() == null ? Map.of() : s.annotations();
            for (var p : annotations.entrySet())
                for (var a : ann.entrySet())
                    if (p.getKey().matcher(a.getKey()).find() && p.getValue().matcher(a.getValue()).find()) return true;
            List<String> args = s.process() == null || s.process().args() == null ? List.of() : s.process().args();
            if (!args.isEmpty()) for (Pattern c : commands) if (c.matcher(args.getFirst()).find()) return true;
            if (hasBindMounts && s.mounts() != null) for (Mount m : s.mounts()) if (isBind(m)) return true;
            return false;
        }
    }

    // The file's JSON, strictly: an unknown key is more likely a typo than an extension.
    @JsonIgnoreProperties(ignoreUnknown = false)
    private record FileJson(@JsonProperty("version") String version, @JsonProperty("hook") Hooks.Hook hook,
                            @JsonProperty("when") When when, @JsonProperty("stages") List<String> stages) {}

    private record When(@JsonProperty("always") Boolean always, @JsonProperty("annotations") Map<String, String> annotations,
                        @JsonProperty("commands") List<String> commands, @JsonProperty("hasBindMounts") Boolean hasBindMounts) {}

    /** Reads every {@code *.json} in {@code dir}; a missing directory has no rules (podman's default dirs are optional). */
    public static HookRules load(Path dir) {
        if (dir == null || !Files.exists(dir)) return NONE;
        if (!Files.isDirectory(dir)) throw BerthException.invalid("loading hooks from %s: not a directory", dir);
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw BerthException.invalid("loading hooks from %s: %s", dir, e.getMessage());
        }
        List<Rule> rules = new ArrayList<>();
        for (Path f : files) rules.add(parse(f.toString(), read(f)));
        return new HookRules(rules);
    }

    private static byte[] read(Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (IOException e) {
            throw BerthException.invalid("loading hook %s: %s", f, e.getMessage());
        }
    }

    /** Parses and checks one file ({@code name} is for messages). */
    public static Rule parse(String name, byte[] json) {
        FileJson f;
        try {
            f = JSON.readValue(json, FileJson.class);
        } catch (IOException e) {
            throw BerthException.invalid("loading hook %s: invalid JSON: %s", name, e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage());
        }
        if (f == null) throw BerthException.invalid("loading hook %s: empty file", name);
        if (!"1.0.0".equals(f.version()))
            throw BerthException.invalid("loading hook %s: unsupported version %s (want 1.0.0)", name, f.version());
        if (f.hook() == null) throw BerthException.invalid("loading hook %s: hook is required", name);
        checkHook(name + ": hook", f.hook());
        if (f.stages() == null || f.stages().isEmpty()) throw BerthException.invalid("loading hook %s: stages must name at least one stage", name);
        for (String st : f.stages())
            if (!STAGES.contains(st)) throw BerthException.invalid("loading hook %s: unknown stage %s (want one of %s)", name, st, STAGES);
        When w = f.when();
        if (w == null || (w.always() == null && w.annotations() == null && w.commands() == null && w.hasBindMounts() == null))
            throw BerthException.invalid("loading hook %s: when must have at least one condition", name);
        Map<Pattern, Pattern> ann = new LinkedHashMap<>();
        if (w.annotations() != null) w.annotations().forEach((k, v) -> ann.put(regex(name, "when.annotations", k), regex(name, "when.annotations", v)));
        List<Pattern> cmds = new ArrayList<>();
        if (w.commands() != null) for (String c : w.commands()) cmds.add(regex(name, "when.commands", c));
        return new Rule(name, f.hook(), Boolean.TRUE.equals(w.always()), Map.copyOf(ann), List.copyOf(cmds),
                Boolean.TRUE.equals(w.hasBindMounts()), List.copyOf(f.stages()));
    }

    /**
     * Checks what runc would otherwise only find when the container starts: an absolute path to an
     * executable regular file, args and a positive timeout. {@code where} names the hook in the message.
     */
    public static void checkHook(String where, Hooks.Hook h) {
        if (h == null) throw BerthException.invalid("%s: a hook must be an object with a path", where);
        if (h.path() == null || h.path().isEmpty()) throw BerthException.invalid("%s.path is required", where);
        Path p = Path.of(h.path());
        if (!p.isAbsolute()) throw BerthException.invalid("%s.path must be absolute, got %s", where, h.path());
        if (!Files.isRegularFile(p)) throw BerthException.invalid("%s.path %s: no such file", where, h.path());
        if (!Files.isExecutable(p)) throw BerthException.invalid("%s.path %s: not executable", where, h.path());
        if (h.timeout() != null && h.timeout() <= 0) throw BerthException.invalid("%s.timeout must be a positive number of seconds, got %d", where, h.timeout());
    }

    /** The hooks of every rule matching {@code s}, each under the stages its rule names. */
    public Hooks matching(Spec s) {
        Map<String, List<Hooks.Hook>> by = new LinkedHashMap<>();
        for (Rule r : rules) if (r.matches(s)) for (String st : r.stages()) by.computeIfAbsent(st, k -> new ArrayList<>()).add(r.hook());
        if (by.isEmpty()) return Hooks.NONE;
        return new Hooks(by.get("prestart"), by.get("createRuntime"), by.get("createContainer"), by.get("startContainer"),
                by.get("poststart"), by.get("poststop"));
    }

    /** The option adding the matching hooks; it must run last, when args, annotations and mounts are final. */
    public SpecOpt specOpt() {
        return (s, ctx) -> rules.isEmpty() ? s : SpecOpts.hooks(matching(s)).apply(s, ctx);
    }

    private static boolean isBind(Mount m) {
        return "bind".equals(m.type()) || (m.options() != null && (m.options().contains("bind") || m.options().contains("rbind")));
    }

    private static Pattern regex(String file, String key, String re) {
        try {
            return Pattern.compile(re);
        } catch (PatternSyntaxException e) {
            throw BerthException.invalid("loading hook %s: %s: invalid regular expression %s: %s", file, key, re, e.getDescription());
        }
    }
}
