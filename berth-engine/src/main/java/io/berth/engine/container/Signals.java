package io.berth.engine.container;

import io.berth.api.BerthException;

import java.util.Locale;
import java.util.Map;

/** Signal names and numbers as {@code docker kill --signal} accepts them (Linux x86-64 numbering). */
final class Signals {
    static final int SIGKILL = 9, SIGTERM = 15;
    private static final int SIGRTMIN = 34, SIGRTMAX = 64;
    private static final Map<String, Integer> BY_NAME = Map.ofEntries(
            Map.entry("HUP", 1), Map.entry("INT", 2), Map.entry("QUIT", 3), Map.entry("ILL", 4), Map.entry("TRAP", 5),
            Map.entry("ABRT", 6), Map.entry("IOT", 6), Map.entry("BUS", 7), Map.entry("FPE", 8), Map.entry("KILL", 9),
            Map.entry("USR1", 10), Map.entry("SEGV", 11), Map.entry("USR2", 12), Map.entry("PIPE", 13), Map.entry("ALRM", 14),
            Map.entry("TERM", 15), Map.entry("STKFLT", 16), Map.entry("CHLD", 17), Map.entry("CONT", 18), Map.entry("STOP", 19),
            Map.entry("TSTP", 20), Map.entry("TTIN", 21), Map.entry("TTOU", 22), Map.entry("URG", 23), Map.entry("XCPU", 24),
            Map.entry("XFSZ", 25), Map.entry("VTALRM", 26), Map.entry("PROF", 27), Map.entry("WINCH", 28), Map.entry("IO", 29),
            Map.entry("POLL", 29), Map.entry("PWR", 30), Map.entry("SYS", 31));

    private Signals() {}

    /** "KILL", "SIGKILL", "kill", "9", "RTMIN+3"; null or empty gives {@code dflt}. INVALID_ARGUMENT otherwise. */
    static int parse(String s, int dflt) {
        if (s == null || s.isBlank()) return dflt;
        String v = s.strip().toUpperCase(Locale.ROOT);
        if (v.chars().allMatch(Character::isDigit)) {
            int n;
            try { n = Integer.parseInt(v); } catch (NumberFormatException e) { throw invalid(s); }
            if (n < 1 || n > SIGRTMAX) throw invalid(s);
            return n;
        }
        if (v.startsWith("SIG")) v = v.substring(3);
        Integer n = BY_NAME.get(v);
        if (n != null) return n;
        try {
            if (v.equals("RTMIN")) return SIGRTMIN;
            if (v.equals("RTMAX")) return SIGRTMAX;
            if (v.startsWith("RTMIN+")) return check(SIGRTMIN + Integer.parseInt(v.substring(6)), s);
            if (v.startsWith("RTMAX-")) return check(SIGRTMAX - Integer.parseInt(v.substring(6)), s);
        } catch (NumberFormatException e) {
            throw invalid(s);
        }
        throw invalid(s);
    }

    private static int check(int n, String s) {
        if (n < SIGRTMIN || n > SIGRTMAX) throw invalid(s);
        return n;
    }

    private static BerthException invalid(String s) { return BerthException.invalid("Invalid signal: %s", s); }
}
