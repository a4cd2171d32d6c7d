package io.berth.api.container;

import java.io.IOException;

/** Log entries in order; {@link #next()} blocks while following and returns null at the end. */
public interface LogStream extends AutoCloseable {
    LogEntry next() throws IOException;

    /** Whether the container has a TTY (then entries are raw bytes, all on STDOUT). */
    boolean tty();

    @Override void close();
}
