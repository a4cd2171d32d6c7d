package io.berth.spec.runtime;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * Lifecycle hooks. runc runs {@code prestart} (deprecated in the spec, still honoured) and
 * {@code createRuntime} in the runtime namespace after the container is created,
 * {@code createContainer}/{@code startContainer} in the container, {@code poststart} after start
 * and {@code poststop} after delete. Each hook gets the container state on stdin.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Hooks(
        @JsonProperty("prestart") List<Hook> prestart,
        @JsonProperty("createRuntime") List<Hook> createRuntime,
        @JsonProperty("createContainer") List<Hook> createContainer,
        @JsonProperty("startContainer") List<Hook> startContainer,
        @JsonProperty("poststart") List<Hook> poststart,
        @JsonProperty("poststop") List<Hook> poststop) {

    public static final Hooks NONE = new Hooks(null, null, null, null, null, null);

    public Hooks {
        prestart = Lists.copy(prestart);
        createRuntime = Lists.copy(createRuntime);
        createContainer = Lists.copy(createContainer);
        startContainer = Lists.copy(startContainer);
        poststart = Lists.copy(poststart);
        poststop = Lists.copy(poststop);
    }

    /** True when no phase has a hook (such a value is better left out of config.json). */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isEmpty() {
        return empty(prestart) && empty(createRuntime) && empty(createContainer) && empty(startContainer)
                && empty(poststart) && empty(poststop);
    }

    /** This set followed, phase by phase, by {@code other}'s hooks. */
    public Hooks plus(Hooks other) {
        if (other == null) return this;
        return new Hooks(cat(prestart, other.prestart), cat(createRuntime, other.createRuntime),
                cat(createContainer, other.createContainer), cat(startContainer, other.startContainer),
                cat(poststart, other.poststart), cat(poststop, other.poststop));
    }

    private static boolean empty(List<?> l) { return l == null || l.isEmpty(); }

    private static List<Hook> cat(List<Hook> a, List<Hook> b) {
        if (empty(b)) return a;
        if (empty(a)) return b;
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    /** One hook: an absolute path, argv (argv[0] included), environment and a timeout in seconds. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Hook(
            @JsonProperty("path") String path,
            @JsonProperty("args") List<String> args,
            @JsonProperty("env") List<String> env,
            @JsonProperty("timeout") Integer timeout) {
        public Hook {
            args = Lists.copy(args);
            env = Lists.copy(env);
        }
    }
}
