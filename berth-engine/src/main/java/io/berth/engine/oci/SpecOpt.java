package io.berth.engine.oci;

import io.berth.spec.runtime.Spec;

/**
 * One small change to a runtime spec: set the args, add a mount, drop a capability. Options are
 * pure functions of the spec they receive and the context (the container's id and root, the host);
 * they never mutate, so a list of options can be applied, re-applied and tested one at a time.
 * {@link SpecGenerator} is the one place that decides which options a container gets and in which
 * order. An option that cannot be honoured throws {@link io.berth.api.BerthException}
 * (INVALID_ARGUMENT for a bad request) or records a warning through {@link SpecContext#warn}.
 *
 * <pre>{@code
 * Spec s = SpecOpts.hostname("web").apply(SpecGenerator.dockerDefaults(), ctx);
 * }</pre>
 */
@FunctionalInterface
public interface SpecOpt {
    Spec apply(Spec spec, SpecContext ctx);

    /** This option followed by {@code next}. */
    default SpecOpt then(SpecOpt next) {
        return (s, c) -> next.apply(apply(s, c), c);
    }
}
