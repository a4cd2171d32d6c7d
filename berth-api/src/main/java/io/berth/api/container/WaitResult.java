package io.berth.api.container;

/** {@code {"StatusCode": n, "Error": {"Message": …}}}; error is null when there was none. */
public record WaitResult(int statusCode, String error) {
}
