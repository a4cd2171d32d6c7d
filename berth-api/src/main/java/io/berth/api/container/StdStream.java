package io.berth.api.container;

/** The stream ids of Docker's multiplexed framing: 0 stdin, 1 stdout, 2 stderr. */
public enum StdStream {
    STDIN(0), STDOUT(1), STDERR(2);

    private final int id;

    StdStream(int id) { this.id = id; }

    public int id() { return id; }
}
