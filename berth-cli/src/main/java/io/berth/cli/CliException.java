package io.berth.cli;

/** A local failure the CLI reports as-is (exit status 1), e.g. a file it cannot write. */
final class CliException extends RuntimeException {
    CliException(String message) { super(message, null, false, false); }
}
