package io.berth.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.api.BerthException;
import io.berth.engine.oci.HookRules;
import io.berth.spec.runtime.Hooks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * daemon.json's hook keys, checked when the daemon starts rather than when runc first runs a hook:
 * <pre>{@code
 * "hooks": {"prestart": [{"path": "/usr/local/bin/hook", "args": ["hook", "pre"], "env": ["A=1"], "timeout": 5}],
 *           "poststop": [...]},
 * "hooks-dir": "/etc/berth/hooks.d"
 * }</pre>
 * {@code hooks} has the OCI runtime spec's shape; every phase runc 1.1 knows is accepted. Each hook's
 * path must be absolute and name an executable file; a mistake fails the start with a message naming
 * the key ({@code hooks.poststop[1].path}).
 */
final class HookConfig {
    private static final List<String> PHASES = List.of("prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop");
    private static final Set<String> HOOK_KEYS = Set.of("path", "args", "env", "timeout");

    private HookConfig() {}

    static Hooks hooks(String name, JsonNode node) throws DaemonException {
        if (node == null || node.isNull()) return Hooks.NONE;
        if (!node.isObject()) throw bad(name, "hooks must be an object of phase -> list of hooks, got " + node.getNodeType());
        Map<String, List<Hooks.Hook>> by = new HashMap<>();
        for (var it = node.fields(); it.hasNext(); ) {
            var e = it.next();
            String phase = e.getKey();
            if (!PHASES.contains(phase)) throw bad(name, "hooks." + phase + ": unknown phase (want one of " + PHASES + ")");
            if (!e.getValue().isArray()) throw bad(name, "hooks." + phase + " must be a list of hooks");
            List<Hooks.Hook> list = new ArrayList<>();
            int i = 0;
            for (JsonNode h : e.getValue()) list.add(hook(name, "hooks." + phase + "[" + i++ + "]", h));
            by.put(phase, list);
        }
        return new Hooks(by.get("prestart"), by.get("createRuntime"), by.get("createContainer"), by.get("startContainer"),
                by.get("poststart"), by.get("poststop"));
    }

    private static Hooks.Hook hook(String name, String where, JsonNode h) throws DaemonException {
        if (!h.isObject()) throw bad(name, where + " must be an object with a path");
        for (var it = h.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!HOOK_KEYS.contains(k)) throw bad(name, where + "." + k + ": unknown key (want path, args, env, timeout)");
        }
        JsonNode path = h.get("path"), timeout = h.get("timeout");
        if (path != null && !path.isTextual()) throw bad(name, where + ".path must be a string");
        if (timeout != null && !timeout.isNull() && !timeout.isIntegralNumber()) throw bad(name, where + ".timeout must be an integer");
        Hooks.Hook hook = new Hooks.Hook(path == null ? null : path.asText(), strings(name, where + ".args", h.get("args")),
                strings(name, where + ".env", h.get("env")), timeout == null || timeout.isNull() ? null : timeout.asInt());
        try {
            HookRules.checkHook(where, hook);
        } catch (BerthException e) {
            throw bad(name, e.getMessage());
        }
        return hook;
    }

    private static List<String> strings(String name, String where, JsonNode n) throws DaemonException {
        if (n == null || n.isNull()) return null;
        if (!n.isArray()) throw bad(name, where + " must be a list of strings");
        List<String> out = new ArrayList<>();
        for (JsonNode x : n) {
            if (!x.isTextual()) throw bad(name, where + " must be a list of strings, got " + x);
            out.add(x.asText());
        }
        return out;
    }

    /** The hooks.d directory: absolute, existing, and every rule in it valid. */
    static Path hooksDir(String name, JsonNode node) throws DaemonException {
        if (node == null || node.isNull()) return null;
        if (!node.isTextual() || node.asText().isEmpty()) throw bad(name, "hooks-dir must be a directory path");
        Path dir = Path.of(node.asText());
        if (!dir.isAbsolute()) throw bad(name, "hooks-dir must be absolute, got " + dir);
        if (!Files.isDirectory(dir)) throw bad(name, "hooks-dir " + dir + ": no such directory");
        try {
            HookRules.load(dir);
        } catch (BerthException e) {
            throw bad(name, "hooks-dir: " + e.getMessage());
        }
        return dir;
    }

    private static DaemonException bad(String name, String msg) {
        return new DaemonException("reading config " + name + ": " + msg);
    }
}
