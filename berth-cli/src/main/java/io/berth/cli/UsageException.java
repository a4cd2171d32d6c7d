package io.berth.cli;

/**
 * A command line the CLI cannot accept. Like docker: flag errors exit 125, a wrong number of
 * arguments exits 1 (docker's "requires at least 1 argument" is a plain error there).
 */
final class UsageException extends RuntimeException {
    private final int exitCode;

    UsageException(String message, int exitCode) { super(message, null, false, false); this.exitCode = exitCode; }

    UsageException(String message) { this(message, 125); }

    int exitCode() { return exitCode; }
}
