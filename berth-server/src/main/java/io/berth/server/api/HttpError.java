package io.berth.server.api;

/**
 * A protocol-level refusal decided by the server itself (unknown route, unsupported API version,
 * an endpoint Berth does not implement), as opposed to an engine error. Carries its exact status and
 * body because Docker answers some of these in plain text.
 */
public final class HttpError extends RuntimeException {
    private final int status;
    private final boolean plainText;

    private HttpError(int status, String message, boolean plainText) {
        super(message, null, false, false);
        this.status = status;
        this.plainText = plainText;
    }

    public static HttpError json(int status, String message) { return new HttpError(status, message, false); }

    public static HttpError plain(int status, String message) { return new HttpError(status, message, true); }

    public static HttpError pageNotFound() { return json(404, "page not found"); }

    public static HttpError notImplemented(String what) { return json(501, what + " is not supported by Berth yet"); }

    public int status() { return status; }

    public boolean plainText() { return plainText; }
}
