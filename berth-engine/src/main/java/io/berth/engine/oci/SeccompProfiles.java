package io.berth.engine.oci;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.api.BerthException;
import io.berth.spec.runtime.Seccomp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Seccomp filters: Berth's default, equivalent in effect to Docker's default profile, and loading of
 * a user profile in Docker's JSON format ({@code --security-opt seccomp=PATH}).
 *
 * <p>The default is an allowlist: anything not named fails with EPERM. The allowed set is what an
 * ordinary program needs (files, memory, signals, time, sockets, IPC, threads). Left out are calls
 * that reach the host kernel's global state (module loading, kexec, reboot, clock setting, swap,
 * quotas, keyrings, bpf, perf, userfaultfd, io_uring as Docker 25+) or that create namespaces and
 * mounts. A capability the container holds re-enables the calls it guards (CAP_SYS_ADMIN: mount,
 * unshare, setns, clone with namespace flags...), since the kernel checks that capability anyway and
 * a user who asked for it expects it to work.
 *
 * <p>The lists below are Berth's own, grouped by purpose; runc skips names its libseccomp does not
 * know, so 32-bit and newer names can be listed on every host.
 */
public final class SeccompProfiles {
    private SeccompProfiles() {}

    public static final int EPERM = 1, ENOSYS = 38;

    public static final List<String> ARCHITECTURES = List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32");

    /** Namespace-creating clone flags: NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET (0x7E020000). */
    public static final long CLONE_NAMESPACE_FLAGS = 0x00020000L | 0x02000000L | 0x04000000L | 0x08000000L
            | 0x10000000L | 0x20000000L | 0x40000000L;

    private static final String FILES = """
            access faccessat faccessat2 chdir fchdir chmod fchmod fchmodat fchmodat2 chown chown32 fchown fchown32
            fchownat lchown lchown32 close close_range creat dup dup2 dup3 fadvise64 fadvise64_64 fallocate fcntl
            fcntl64 fdatasync flock fstat fstat64 fstatat64 newfstatat fstatfs fstatfs64 fsync ftruncate ftruncate64
            getcwd getdents getdents64 readdir link linkat lseek _llseek lstat lstat64 mkdir mkdirat mknod mknodat
            open openat openat2 pread64 preadv preadv2 pwrite64 pwritev pwritev2 read readahead readlink readlinkat
            readv rename renameat renameat2 rmdir sendfile sendfile64 splice stat stat64 statfs statfs64 statx
            symlink symlinkat sync sync_file_range syncfs tee truncate truncate64 umask unlink unlinkat utime
            utimensat utimensat_time64 utimes futimesat vmsplice write writev copy_file_range ioctl
            getxattr lgetxattr fgetxattr listxattr llistxattr flistxattr setxattr lsetxattr fsetxattr
            removexattr lremovexattr fremovexattr inotify_add_watch inotify_init inotify_init1 inotify_rm_watch
            fanotify_mark memfd_create
            """;
    private static final String WAITING = """
            epoll_create epoll_create1 epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2 epoll_wait epoll_wait_old
            eventfd eventfd2 poll ppoll ppoll_time64 select _newselect pselect6 pselect6_time64 signalfd signalfd4
            timerfd_create timerfd_gettime timerfd_gettime64 timerfd_settime timerfd_settime64
            io_setup io_destroy io_getevents io_pgetevents io_pgetevents_time64 io_submit io_cancel
            futex futex_time64 futex_waitv restart_syscall pause nanosleep clock_nanosleep clock_nanosleep_time64
            """;
    private static final String MEMORY = """
            brk madvise mincore mlock mlock2 mlockall mmap mmap2 mprotect mremap msync munlock munlockall munmap
            membarrier pkey_alloc pkey_free pkey_mprotect remap_file_pages
            """;
    private static final String PROCESSES = """
            arch_prctl capget capset execve execveat exit exit_group fork vfork getpid getppid gettid getpgid
            getpgrp getsid setpgid setsid getpriority setpriority getrlimit setrlimit prlimit64 ugetrlimit getrusage
            getuid getuid32 geteuid geteuid32 getgid getgid32 getegid getegid32 getresuid getresuid32 getresgid
            getresgid32 getgroups getgroups32 setuid setuid32 setgid setgid32 setreuid setreuid32 setregid
            setregid32 setresuid setresuid32 setresgid setresgid32 setfsuid setfsuid32 setfsgid setfsgid32
            setgroups setgroups32 kill tkill tgkill pidfd_open pidfd_send_signal prctl
            sched_getaffinity sched_setaffinity sched_getattr sched_setattr sched_getparam sched_setparam
            sched_getscheduler sched_setscheduler sched_get_priority_max sched_get_priority_min
            sched_rr_get_interval sched_rr_get_interval_time64 sched_yield set_robust_list get_robust_list
            set_tid_address set_thread_area get_thread_area rseq wait4 waitid waitpid uname sysinfo times
            ioprio_get ioprio_set getcpu getrandom seccomp landlock_create_ruleset landlock_add_rule
            landlock_restrict_self
            """;
    // ptrace and cross-process memory access are allowed on kernels >= 4.8, where ptrace can no
    // longer be used to bypass seccomp; Docker allows them there too.
    private static final String TRACING = "ptrace process_vm_readv process_vm_writev";
    private static final String SIGNALS_AND_TIME = """
            rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait
            rt_sigtimedwait_time64 rt_tgsigqueueinfo sigaction signal sigpending sigprocmask sigreturn sigsuspend
            sigaltstack alarm getitimer setitimer timer_create timer_delete timer_getoverrun timer_gettime
            timer_gettime64 timer_settime timer_settime64 clock_getres clock_getres_time64 clock_gettime
            clock_gettime64 gettimeofday time adjtimex
            """;
    private static final String NETWORK_AND_IPC = """
            accept accept4 bind connect getpeername getsockname getsockopt setsockopt listen recv recvfrom recvmmsg
            recvmmsg_time64 recvmsg send sendmmsg sendmsg sendto shutdown socket socketcall socketpair
            ipc msgctl msgget msgrcv msgsnd semctl semget semop semtimedop semtimedop_time64 shmat shmctl shmdt
            shmget mq_getsetattr mq_notify mq_open mq_timedreceive mq_timedreceive_time64 mq_timedsend
            mq_timedsend_time64 mq_unlink pipe pipe2
            """;

    /** Calls each capability re-enables (the kernel still checks the capability itself). */
    static final Map<String, String> BY_CAPABILITY = Map.ofEntries(
            Map.entry("CAP_DAC_READ_SEARCH", "open_by_handle_at"),
            Map.entry("CAP_SYS_ADMIN", """
                    bpf clone clone3 fanotify_init fsconfig fsmount fsopen fspick lookup_dcookie mount mount_setattr
                    move_mount name_to_handle_at open_tree perf_event_open quotactl quotactl_fd setdomainname
                    sethostname setns syslog umount umount2 unshare"""),
            Map.entry("CAP_SYS_BOOT", "reboot"),
            Map.entry("CAP_SYS_CHROOT", "chroot"),
            Map.entry("CAP_SYS_MODULE", "delete_module init_module finit_module"),
            Map.entry("CAP_SYS_PACCT", "acct"),
            Map.entry("CAP_SYS_PTRACE", "kcmp pidfd_getfd process_madvise"),
            Map.entry("CAP_SYS_RAWIO", "iopl ioperm"),
            Map.entry("CAP_SYS_TIME", "settimeofday stime clock_settime clock_settime64 clock_adjtime clock_adjtime64"),
            Map.entry("CAP_SYS_TTY_CONFIG", "vhangup"),
            Map.entry("CAP_SYS_NICE", "get_mempolicy mbind set_mempolicy set_mempolicy_home_node"),
            Map.entry("CAP_SYSLOG", "syslog"),
            Map.entry("CAP_BPF", "bpf"),
            Map.entry("CAP_PERFMON", "perf_event_open"));

    /** personality(2) values a program may set: Linux, UNAME26, ADDR_NO_RANDOMIZE..., and the query 0xffffffff. */
    private static final long[] PERSONALITIES = {0x0, 0x8, 0x20000, 0x20008, 0xffffffffL};

    static List<String> names(String block) {
        return List.of(block.strip().split("\\s+"));
    }

    /** The names the default profile allows unconditionally. */
    public static List<String> defaultAllowed() {
        List<String> out = new ArrayList<>();
        for (String b : List.of(FILES, WAITING, MEMORY, PROCESSES, TRACING, SIGNALS_AND_TIME, NETWORK_AND_IPC)) out.addAll(names(b));
        return out;
    }

    /** Berth's default filter for a process holding {@code caps}. */
    public static Seccomp dockerDefault(Collection<String> caps) {
        Set<String> held = Set.copyOf(caps);
        List<Seccomp.Syscall> rules = new ArrayList<>();
        rules.add(allow(defaultAllowed(), null));
        for (long p : PERSONALITIES) rules.add(allow(List.of("personality"), List.of(new Seccomp.Arg(0, p, null, "SCMP_CMP_EQ"))));
        List<String> extra = new ArrayList<>();
        for (String cap : Caps.ALL) {
            String calls = BY_CAPABILITY.get(cap);
            if (calls != null && held.contains(cap)) for (String n : names(calls)) if (!extra.contains(n)) extra.add(n);
        }
        if (!extra.isEmpty()) rules.add(allow(extra, null));
        if (!held.contains("CAP_SYS_ADMIN")) {
            // clone without namespace flags only: fork and threads work, unshare-by-clone does not.
            rules.add(allow(List.of("clone"), List.of(new Seccomp.Arg(0, CLONE_NAMESPACE_FLAGS, 0L, "SCMP_CMP_MASKED_EQ"))));
            // clone3 passes its flags in memory, which seccomp cannot inspect; ENOSYS (not EPERM)
            // makes glibc fall back to clone, which the rule above can check.
            rules.add(new Seccomp.Syscall(List.of("clone3"), Seccomp.ACT_ERRNO, ENOSYS, null));
        }
        return new Seccomp(Seccomp.ACT_ERRNO, EPERM, ARCHITECTURES, null, rules);
    }

    private static Seccomp.Syscall allow(List<String> names, List<Seccomp.Arg> args) {
        return new Seccomp.Syscall(names, Seccomp.ACT_ALLOW, null, args);
    }

    // ---- Docker-format profiles ---------------------------------------------------------------------

    @JsonIgnoreProperties(ignoreUnknown = true)
    record DockerProfile(@JsonProperty("defaultAction") String defaultAction,
                         @JsonProperty("defaultErrnoRet") Integer defaultErrnoRet,
                         @JsonProperty("architectures") List<String> architectures,
                         @JsonProperty("archMap") List<ArchMap> archMap,
                         @JsonProperty("flags") List<String> flags,
                         @JsonProperty("syscalls") List<Rule> syscalls) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record ArchMap(@JsonProperty("architecture") String architecture, @JsonProperty("subArchitectures") List<String> subArchitectures) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Rule(@JsonProperty("names") List<String> names, @JsonProperty("name") String name,
                @JsonProperty("action") String action, @JsonProperty("errnoRet") Integer errnoRet,
                @JsonProperty("args") List<Seccomp.Arg> args,
                @JsonProperty("includes") Filter includes, @JsonProperty("excludes") Filter excludes) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Filter(@JsonProperty("caps") List<String> caps, @JsonProperty("arches") List<String> arches,
                  @JsonProperty("minKernel") String minKernel) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Reads a profile in Docker's format (also plain OCI {@code linux.seccomp} JSON) and resolves its
     * conditions for this container: rules whose {@code includes.caps} the process lacks, or whose
     * {@code excludes.caps} it has, are dropped, as are rules for other architectures. Only amd64
     * hosts are handled (the ones Berth runs on); {@code minKernel} conditions are assumed met.
     */
    public static Seccomp load(Path profile, Collection<String> caps) {
        DockerProfile p;
        try {
            p = JSON.readValue(Files.readAllBytes(profile), DockerProfile.class);
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.INVALID_ARGUMENT, "loading seccomp profile " + profile + ": " + e.getMessage(), e);
        }
        if (p.defaultAction() == null) throw BerthException.invalid("loading seccomp profile %s: defaultAction is missing", profile);
        Set<String> held = Set.copyOf(caps);
        List<String> arches = p.architectures();
        if (p.archMap() != null && !p.archMap().isEmpty()) {
            arches = new ArrayList<>();
            for (ArchMap m : p.archMap()) {
                if (!"SCMP_ARCH_X86_64".equals(m.architecture())) continue;
                arches.add(m.architecture());
                if (m.subArchitectures() != null) arches.addAll(m.subArchitectures());
            }
        }
        List<Seccomp.Syscall> rules = new ArrayList<>();
        for (Rule r : p.syscalls() == null ? List.<Rule>of() : p.syscalls()) {
            if (!applies(r.includes(), r.excludes(), held)) continue;
            List<String> names = r.names() != null ? r.names() : r.name() != null ? List.of(r.name()) : List.of();
            if (names.isEmpty()) continue;
            rules.add(new Seccomp.Syscall(names, r.action(), r.errnoRet(), r.args() == null || r.args().isEmpty() ? null : r.args()));
        }
        return new Seccomp(p.defaultAction(), p.defaultErrnoRet(), arches, p.flags(), rules);
    }

    private static boolean applies(Filter inc, Filter exc, Set<String> caps) {
        String arch = "amd64";
        if (inc != null) {
            if (inc.caps() != null && !caps.containsAll(inc.caps())) return false;
            if (inc.arches() != null && !inc.arches().isEmpty() && !inc.arches().contains(arch)) return false;
        }
        if (exc != null) {
            if (exc.caps() != null && exc.caps().stream().anyMatch(caps::contains)) return false;
            if (exc.arches() != null && exc.arches().contains(arch)) return false;
        }
        return true;
    }
}
