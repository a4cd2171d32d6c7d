package io.berth.engine.sys;

import java.io.IOException;

/**
 * A failed system call: the call's name, the object it acted on, and the errno the kernel returned.
 * Callers branch on {@link #errno()} (compare with the {@code E*} constants in {@link Syscalls}).
 */
public final class ErrnoException extends IOException {
    private final int errno;
    private final String call;

    public ErrnoException(String call, String object, int errno) {
        super(call + (object == null ? "" : " " + object) + ": " + Syscalls.strerror(errno));
        this.errno = errno;
        this.call = call;
    }

    public int errno() { return errno; }

    /** The name of the failed call, e.g. {@code "openat2"}. */
    public String call() { return call; }

    public boolean is(int code) { return errno == code; }
}
