package io.berth.daemon;

/** A reason berthd cannot start, worded for the operator reading stderr. */
public final class DaemonException extends Exception {
    public DaemonException(String message) { super(message); }
    public DaemonException(String message, Throwable cause) { super(message, cause); }
}
