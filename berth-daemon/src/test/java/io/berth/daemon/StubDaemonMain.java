package io.berth.daemon;

/** berthd on the stub engine, for tests that run the daemon as a child JVM (to send it SIGTERM). */
public final class StubDaemonMain {
    private StubDaemonMain() {}

    public static void main(String[] args) {
        int code = DaemonMain.run(args, StubEngine::new);
        if (code != 0) System.exit(code);
    }
}
