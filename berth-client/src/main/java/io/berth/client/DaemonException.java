package io.berth.client;

import io.berth.api.BerthException;

/**
 * An error the daemon answered with ({@code {"message": …}} and an HTTP status), as opposed to a
 * local failure. The CLI prints these as "Error response from daemon: …", like docker.
 */
public final class DaemonException extends BerthException {
    private final int status;

    public DaemonException(int status, String message) {
        super(kindOf(status), message);
        this.status = status;
    }

    public int status() { return status; }

    /** The one place this client maps HTTP status back to the error vocabulary (the server maps it forth). */
    public static Kind kindOf(int status) {
        return switch (status) {
            case 304 -> Kind.NOT_MODIFIED;
            case 400 -> Kind.INVALID_ARGUMENT;
            case 401, 403 -> Kind.UNAUTHORIZED;
            case 404 -> Kind.NOT_FOUND;
            case 409 -> Kind.CONFLICT;
            case 502, 503, 504 -> Kind.UNAVAILABLE;
            default -> Kind.INTERNAL;
        };
    }
}
