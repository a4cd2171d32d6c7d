package io.berth.api.image;

/**
 * Receives pull (and load) progress. Called from download threads: implementations must be
 * thread-safe and quick. The server turns events into Docker's streaming JSON; the CLI into bars.
 */
@FunctionalInterface
public interface PullListener {
    PullListener NONE = e -> { };

    void onEvent(PullEvent event);
}
