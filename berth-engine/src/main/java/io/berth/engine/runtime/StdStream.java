package io.berth.engine.runtime;

/** Which output stream a log line or an attach frame came from. With a terminal everything is STDOUT. */
public enum StdStream {
    STDOUT, STDERR;

    /** conmon's one-byte tag on attach packets: its stdpipe_t values, 2 for stdout and 3 for stderr. */
    static StdStream ofConmonTag(byte tag) {
        return switch (tag) {
            case 2 -> STDOUT;
            case 3 -> STDERR;
            default -> null;
        };
    }
}
