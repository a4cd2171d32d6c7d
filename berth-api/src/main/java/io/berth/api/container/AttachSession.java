package io.berth.api.container;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A live connection to a process's stdio (a container's or an exec's). Output comes as frames
 * tagged with their stream (all STDOUT with a TTY); {@link #read()} returns null when the process
 * has exited and its output is drained, or after {@link #close()}. Closing {@link #stdin()} passes
 * EOF to the process while output keeps flowing. For an exec, {@link #exitCode()} is final once
 * {@link #read()} has returned null.
 */
public interface AttachSession extends AutoCloseable {
    record Frame(StdStream stream, byte[] data) { }

    Frame read() throws IOException;

    /** Null when stdin was not attached. */
    OutputStream stdin();

    boolean tty();

    /** The exec's or container's exit code once output has ended, else null. */
    Integer exitCode();

    @Override void close();
}
