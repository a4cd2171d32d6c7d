package io.berth.server.api;

import io.berth.api.BerthException;

/** The one place where an engine error kind becomes an HTTP status (Docker's errdefs mapping). */
public final class ErrorMapper {
    private ErrorMapper() {}

    public static int status(BerthException.Kind kind) {
        return switch (kind) {
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case INVALID_ARGUMENT -> 400;
            case NOT_MODIFIED -> 304;
            case UNAUTHORIZED -> 401;
            case UNAVAILABLE, DATA_LOSS, INTERNAL -> 500;
        };
    }
}
