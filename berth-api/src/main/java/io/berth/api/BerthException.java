package io.berth.api;

/**
 * The one exception type the Berth API throws. {@link Kind} is the closed vocabulary of what went
 * wrong; the HTTP status for each kind is decided in exactly one place (the server's error mapper).
 * Messages start with what was being done: "pulling busybox: manifest unknown".
 */
public class BerthException extends RuntimeException {
    public enum Kind {
        /** The named object does not exist (404). */
        NOT_FOUND,
        /** The request conflicts with current state, e.g. a tag in use or a running container (409). */
        CONFLICT,
        /** The request is malformed or names something invalid (400). */
        INVALID_ARGUMENT,
        /** Nothing to do: already in the requested state (304). */
        NOT_MODIFIED,
        /** Credentials missing or refused (401). */
        UNAUTHORIZED,
        /** A dependency is unreachable or missing: registry down, runc absent, disk full (503/500). */
        UNAVAILABLE,
        /** Content failed verification: digest or size mismatch (500, never retried silently). */
        DATA_LOSS,
        /** A bug or an unclassified failure (500). */
        INTERNAL
    }

    private final Kind kind;

    public BerthException(Kind kind, String message) { super(message); this.kind = kind; }
    public BerthException(Kind kind, String message, Throwable cause) { super(message, cause); this.kind = kind; }

    public Kind kind() { return kind; }

    public static BerthException notFound(String fmt, Object... args) { return new BerthException(Kind.NOT_FOUND, fmt.formatted(args)); }
    public static BerthException conflict(String fmt, Object... args) { return new BerthException(Kind.CONFLICT, fmt.formatted(args)); }
    public static BerthException invalid(String fmt, Object... args) { return new BerthException(Kind.INVALID_ARGUMENT, fmt.formatted(args)); }
    public static BerthException notModified(String fmt, Object... args) { return new BerthException(Kind.NOT_MODIFIED, fmt.formatted(args)); }
    public static BerthException unauthorized(String fmt, Object... args) { return new BerthException(Kind.UNAUTHORIZED, fmt.formatted(args)); }
    public static BerthException unavailable(String fmt, Object... args) { return new BerthException(Kind.UNAVAILABLE, fmt.formatted(args)); }
    public static BerthException dataLoss(String fmt, Object... args) { return new BerthException(Kind.DATA_LOSS, fmt.formatted(args)); }
    public static BerthException internal(String msg, Throwable cause) { return new BerthException(Kind.INTERNAL, msg, cause); }

    /** Re-throws with a verb-first context, keeping the kind: "pulling busybox: " + original message. */
    public BerthException withContext(String context) {
        return new BerthException(kind, context + ": " + getMessage(), this);
    }
}
