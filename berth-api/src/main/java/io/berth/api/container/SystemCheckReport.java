package io.berth.api.container;

import java.util.List;

/**
 * {@code berth system check}: the host preflight (runtime and conmon, overlay, cgroups, rlimits,
 * kernel features) and what orphan cleanup found and did.
 *
 * @param cleaned one line per orphan handled ("removed runtime state of 3f…: no record")
 */
public record SystemCheckReport(List<Check> checks, List<String> cleaned) {
    public SystemCheckReport {
        checks = List.copyOf(checks);
        cleaned = List.copyOf(cleaned);
    }

    /** One line of the report; a failed {@code required} check makes the host unusable for containers. */
    public record Check(String name, boolean ok, boolean required, String detail) { }

    /** True when every required check passed. */
    public boolean ok() {
        return checks.stream().allMatch(c -> c.ok() || !c.required());
    }
}
