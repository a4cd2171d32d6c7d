package io.berth.spec.runtime;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/**
 * The OCI runtime configuration ({@code config.json} in a bundle), limited to what runc 1.1 reads on
 * Linux. Every field is nullable and absent fields are not written: the runtime gives an absent
 * field its own meaning (no {@code seccomp} means no filter, no {@code rlimits} means inherit), so
 * "absent" and "empty" must stay distinguishable.
 *
 * @see <a href="https://github.com/opencontainers/runtime-spec/blob/main/config.md">config.md</a>
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Spec(
        @JsonProperty("ociVersion") String ociVersion,
        @JsonProperty("process") Process process,
        @JsonProperty("root") Root root,
        @JsonProperty("hostname") String hostname,
        @JsonProperty("mounts") List<Mount> mounts,
        @JsonProperty("hooks") Hooks hooks,
        @JsonProperty("annotations") Map<String, String> annotations,
        @JsonProperty("linux") Linux linux) {

    /** The runtime-spec version Berth writes; runc 1.1 accepts any 1.0.x. */
    public static final String VERSION = "1.0.2-dev";

    public Spec {
        mounts = Lists.copy(mounts);
        annotations = Lists.copy(annotations);
    }

    public Spec withProcess(Process p) { return new Spec(ociVersion, p, root, hostname, mounts, hooks, annotations, linux); }
    public Spec withRoot(Root r) { return new Spec(ociVersion, process, r, hostname, mounts, hooks, annotations, linux); }
    public Spec withHostname(String h) { return new Spec(ociVersion, process, root, h, mounts, hooks, annotations, linux); }
    public Spec withMounts(List<Mount> m) { return new Spec(ociVersion, process, root, hostname, m, hooks, annotations, linux); }
    public Spec withHooks(Hooks h) { return new Spec(ociVersion, process, root, hostname, mounts, h, annotations, linux); }
    public Spec withAnnotations(Map<String, String> a) { return new Spec(ociVersion, process, root, hostname, mounts, hooks, a, linux); }
    public Spec withLinux(Linux l) { return new Spec(ociVersion, process, root, hostname, mounts, hooks, annotations, l); }
}
