package io.berth.api.container;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One resource sample of a running container, with the sample before it ({@code precpu}), as
 * {@code docker stats} needs to compute CPU %. Counters are cumulative, in nanoseconds and bytes.
 *
 * @param read    when this sample was taken
 * @param preread when {@code precpu} was taken; null when there is none (one-shot)
 * @param name    the container name without "/"
 */
public record ContainerStats(String id, String name, Instant read, Instant preread, long pidsCurrent, Long pidsLimit,
                             Cpu cpu, Cpu precpu, Memory memory) {

    /** cgroup CPU accounting plus the host's total CPU time ({@code systemUsage}, from /proc/stat). */
    public record Cpu(long totalUsage, List<Long> perCpuUsage, long kernelUsage, long userUsage, long systemUsage,
                      int onlineCpus, long throttlingPeriods, long throttledPeriods, long throttledTime) {
        public static final Cpu EMPTY = new Cpu(0, List.of(), 0, 0, 0, 0, 0, 0, 0);
    }

    /** {@code limit} is the host's memory when the container has no limit, as Docker shows it. */
    public record Memory(long usage, long maxUsage, long limit, long failcnt, Map<String, Long> stats) {
    }

    public ContainerStats withPrevious(ContainerStats prev) {
        return new ContainerStats(id, name, read, prev == null ? null : prev.read, pidsCurrent, pidsLimit, cpu,
                prev == null ? Cpu.EMPTY : prev.cpu, memory);
    }
}
