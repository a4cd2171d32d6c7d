package io.berth.api.container;

/** Events in time order; {@link #next} blocks for the next one and answers null once {@code until} has passed or the stream was closed. */
public interface EventStream extends AutoCloseable {
    Event next() throws InterruptedException;

    @Override
    void close();
}
