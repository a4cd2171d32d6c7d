package io.berth.daemon;

/** Entry point of berthd ({@code berth daemon}). */
public final class DaemonMain {
    private DaemonMain() {}

    public static void main(String[] args) {
        System.out.println("berthd: not yet built");
    }
}
