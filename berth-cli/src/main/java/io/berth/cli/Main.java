package io.berth.cli;

/** The berth CLI entry point. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.out.println("berth: CLI not yet built");
    }
}
