package io.berth.api.container;

/** Which streams to attach; {@code logs} replays what was logged before attaching. */
public record AttachOptions(boolean stdin, boolean stdout, boolean stderr, boolean logs, boolean stream) {
    public static final AttachOptions OUTPUT = new AttachOptions(false, true, true, false, true);
    public static final AttachOptions ALL = new AttachOptions(true, true, true, false, true);
}
