package io.berth.spec.runtime;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * A seccomp filter as runc builds it with libseccomp: {@code defaultAction} for any syscall no rule
 * matches, rules by syscall name (names unknown to the host's libseccomp are skipped by runc), each
 * optionally guarded by argument comparisons that must all hold.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Seccomp(
        @JsonProperty("defaultAction") String defaultAction,
        @JsonProperty("defaultErrnoRet") Integer defaultErrnoRet,
        @JsonProperty("architectures") List<String> architectures,
        @JsonProperty("flags") List<String> flags,
        @JsonProperty("syscalls") List<Syscall> syscalls) {

    public static final String ACT_ALLOW = "SCMP_ACT_ALLOW", ACT_ERRNO = "SCMP_ACT_ERRNO", ACT_KILL = "SCMP_ACT_KILL";

    public Seccomp {
        architectures = Lists.copy(architectures);
        flags = Lists.copy(flags);
        syscalls = Lists.copy(syscalls);
    }

    /** A rule: the action for these syscalls when every argument condition matches. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Syscall(
            @JsonProperty("names") List<String> names,
            @JsonProperty("action") String action,
            @JsonProperty("errnoRet") Integer errnoRet,
            @JsonProperty("args") List<Arg> args) {
        public Syscall {
            names = Lists.copy(names);
            args = Lists.copy(args);
        }
    }

    /**
     * An argument condition: argument {@code index} compared with {@code value} by {@code op}
     * (SCMP_CMP_EQ, SCMP_CMP_MASKED_EQ where {@code value} is the mask and {@code valueTwo} the
     * expected result, ...).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Arg(
            @JsonProperty("index") int index,
            @JsonProperty("value") long value,
            @JsonProperty("valueTwo") Long valueTwo,
            @JsonProperty("op") String op) {}
}
