package io.berth.api.container;

/** Docker's wait conditions: {@code not-running} (default), {@code next-exit}, {@code removed}. */
public enum WaitCondition {
    NOT_RUNNING("not-running"), NEXT_EXIT("next-exit"), REMOVED("removed");

    private final String word;

    WaitCondition(String word) { this.word = word; }

    public String word() { return word; }

    public static WaitCondition parse(String s) {
        if (s == null || s.isEmpty()) return NOT_RUNNING;
        for (WaitCondition c : values()) if (c.word.equals(s)) return c;
        throw io.berth.api.BerthException.invalid("invalid condition: \"%s\"", s);
    }
}
