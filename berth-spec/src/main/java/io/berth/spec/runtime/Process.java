package io.berth.spec.runtime;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonRawValue;

import java.math.BigInteger;
import java.util.List;

/** The container's first process: argv, environment, identity, capabilities and limits. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Process(
        @JsonProperty("terminal") Boolean terminal,
        @JsonProperty("consoleSize") ConsoleSize consoleSize,
        @JsonProperty("user") User user,
        @JsonProperty("args") List<String> args,
        @JsonProperty("env") List<String> env,
        @JsonProperty("cwd") String cwd,
        @JsonProperty("capabilities") Capabilities capabilities,
        @JsonProperty("rlimits") List<Rlimit> rlimits,
        @JsonProperty("noNewPrivileges") Boolean noNewPrivileges,
        @JsonProperty("apparmorProfile") String apparmorProfile,
        @JsonProperty("oomScoreAdj") Integer oomScoreAdj,
        @JsonProperty("selinuxLabel") String selinuxLabel) {

    public Process {
        args = Lists.copy(args);
        env = Lists.copy(env);
        rlimits = Lists.copy(rlimits);
    }

    public boolean isTerminal() { return Boolean.TRUE.equals(terminal); }

    public Process withTerminal(Boolean t) { return new Process(t, consoleSize, user, args, env, cwd, capabilities, rlimits, noNewPrivileges, apparmorProfile, oomScoreAdj, selinuxLabel); }
    public Process withConsoleSize(ConsoleSize c) { return new Process(terminal, c, user, args, env, cwd, capabilities, rlimits, noNewPrivileges, apparmorProfile, oomScoreAdj, selinuxLabel); }
    public Process withUser(User u) { return new Process(terminal, consoleSize, u, args, env, cwd, capabilities, rlimits, noNewPrivileges, apparmorProfile, oomScoreAdj, selinuxLabel); }
    public Process withArgs(List<String> a) { return new Process(terminal, consoleSize, user, a, env, cwd, capabilities, rlimits, noNewPrivileges, apparmorProfile, oomScoreAdj, selinuxLabel); }
    public Process withEnv(List<String> e) { return new Process(terminal, consoleSize, user, args, e, cwd, capabilities, rlimits, noNewPrivileges, apparmorProfile, oomScoreAdj, selinuxLabel); }
    public Process withCwd(String c) { return new Process(terminal, consoleSize, user, args, env, c, capabilities, rlimits, noNewPrivileges, apparmorProfile, oomScoreAdj, selinuxLabel); }
    public Process withCapabilities(Capabilities c) { return new Process(terminal, consoleSize, user, args, env, cwd, c, rlimits, noNewPrivileges, apparmorProfile, oomScoreAdj, selinuxLabel); }
    public Process withRlimits(List<Rlimit> r) { return new Process(terminal, consoleSize, user, args, env, cwd, capabilities, r, noNewPrivileges, apparmorProfile, oomScoreAdj, selinuxLabel); }
    public Process withNoNewPrivileges(Boolean n) { return new Process(terminal, consoleSize, user, args, env, cwd, capabilities, rlimits, n, apparmorProfile, oomScoreAdj, selinuxLabel); }
    public Process withApparmorProfile(String a) { return new Process(terminal, consoleSize, user, args, env, cwd, capabilities, rlimits, noNewPrivileges, a, oomScoreAdj, selinuxLabel); }
    public Process withOomScoreAdj(Integer o) { return new Process(terminal, consoleSize, user, args, env, cwd, capabilities, rlimits, noNewPrivileges, apparmorProfile, o, selinuxLabel); }
    public Process withSelinuxLabel(String s) { return new Process(terminal, consoleSize, user, args, env, cwd, capabilities, rlimits, noNewPrivileges, apparmorProfile, oomScoreAdj, s); }

    /** Terminal size in characters; only meaningful with {@code terminal: true}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ConsoleSize(@JsonProperty("height") int height, @JsonProperty("width") int width) {}

    /**
     * The identity the process runs as. uid/gid are unsigned 32-bit in the spec and carried in a
     * long so that 4294967294-style ids from user-namespaced images survive; {@code username} is
     * informational (runc ignores it on Linux).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record User(
            @JsonProperty("uid") long uid,
            @JsonProperty("gid") long gid,
            @JsonProperty("umask") Integer umask,
            @JsonProperty("additionalGids") List<Long> additionalGids,
            @JsonProperty("username") String username) {
        public User {
            additionalGids = Lists.copy(additionalGids);
        }

        public static User root() { return new User(0, 0, null, null, null); }
    }

    /** The five capability sets, by name ("CAP_CHOWN"). An absent set means empty to runc. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Capabilities(
            @JsonProperty("bounding") List<String> bounding,
            @JsonProperty("effective") List<String> effective,
            @JsonProperty("inheritable") List<String> inheritable,
            @JsonProperty("permitted") List<String> permitted,
            @JsonProperty("ambient") List<String> ambient) {
        public Capabilities {
            bounding = Lists.copy(bounding);
            effective = Lists.copy(effective);
            inheritable = Lists.copy(inheritable);
            permitted = Lists.copy(permitted);
            ambient = Lists.copy(ambient);
        }

        /**
         * The same set as bounding, effective and permitted, none inheritable or ambient: what Docker
         * gives a container's first process (a non-root user then loses effective ones on exec
         * unless the file has capabilities, exactly as on a host).
         */
        public static Capabilities of(List<String> caps) { return new Capabilities(caps, caps, null, caps, null); }
    }

    /**
     * A resource limit ({@code RLIMIT_NOFILE}). The spec's values are unsigned 64-bit; here they are
     * held in a long read as unsigned, so {@link #INFINITY} (-1) is RLIM_INFINITY and is written as
     * 18446744073709551615, the number runc expects.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @com.fasterxml.jackson.annotation.JsonPropertyOrder({"type", "hard", "soft"})
    @com.fasterxml.jackson.annotation.JsonAutoDetect(fieldVisibility = com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility.NONE,
            getterVisibility = com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility.NONE,
            isGetterVisibility = com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility.NONE,
            creatorVisibility = com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility.NONE)
    public record Rlimit(@JsonProperty("type") String type, long hard, long soft) {
        public static final long INFINITY = -1L;

        /** Jackson's entry: values arrive as unbounded integers and are narrowed to their low 64 bits. */
        @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
        public static Rlimit fromJson(@JsonProperty("type") String type, @JsonProperty("hard") BigInteger hard,
                               @JsonProperty("soft") BigInteger soft) {
            return new Rlimit(type, hard == null ? 0 : hard.longValue(), soft == null ? 0 : soft.longValue());
        }

        // Written raw so the unsigned value reaches the JSON as a number; Jackson would print -1.
        @JsonProperty("hard") @JsonRawValue String hardJson() { return Long.toUnsignedString(hard); }
        @JsonProperty("soft") @JsonRawValue String softJson() { return Long.toUnsignedString(soft); }
    }
}
