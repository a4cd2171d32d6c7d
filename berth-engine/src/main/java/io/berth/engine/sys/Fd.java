package io.berth.engine.sys;

/**
 * An owned Linux file descriptor. A class rather than a record because closing must happen exactly
 * once: closing a number twice could close an unrelated descriptor that reused it in between.
 * Not thread-safe; an {@code Fd} belongs to the code that opened it.
 */
public final class Fd implements AutoCloseable {
    private final int fd;
    private boolean closed;

    public Fd(int fd) {
        if (fd < 0) throw new IllegalArgumentException("invalid file descriptor " + fd);
        this.fd = fd;
    }

    /** The raw number, for passing to {@link Syscalls}; valid until {@link #close()}. */
    public int fd() {
        if (closed) throw new IllegalStateException("file descriptor " + fd + " is closed");
        return fd;
    }

    public boolean isOpen() { return !closed; }

    /** Closes once; later calls do nothing. Errors from close(2) are ignored (Linux frees the number anyway). */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Syscalls.closeQuietly(fd);
    }

    @Override
    public String toString() { return "fd " + fd + (closed ? " (closed)" : ""); }
}
