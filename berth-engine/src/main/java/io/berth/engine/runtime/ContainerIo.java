package io.berth.engine.runtime;

/** The container's stdio while it runs, through its monitor. */
public interface ContainerIo {
    /** Connects to the container's attach socket (works between create and start, too). */
    AttachSession attach(String id);

    /** Sets the terminal size of a container created with a terminal. */
    void resize(String id, int height, int width);
}
