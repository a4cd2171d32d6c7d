package io.berth.server.api;

import io.berth.api.BerthException;
import io.berth.server.http.ExchangeHandler;
import io.berth.server.http.HttpExchange;
import io.berth.server.wire.Json;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Entry of every API request: strips the {@code /vX.Y} prefix, routes, checks the version, runs
 * the handler and renders any error as Docker does ({@code {"message": …}} with the status from
 * {@link ErrorMapper}). Unknown routes are matched before the version check, like moby's router.
 */
public final class ApiDispatcher implements ExchangeHandler {
    private static final System.Logger LOG = System.getLogger("io.berth.server");
    private final Router router;
    /** BERTH_TRACE=1 logs each request's wall time (latency work; see io.berth.engine.sys.Trace). */
    private static final boolean TRACE = traceOn(System.getenv("BERTH_TRACE"));

    static boolean traceOn(String v) {
        return v != null && !v.isEmpty() && !v.equals("0") && !v.equalsIgnoreCase("false");
    }

    public ApiDispatcher(Router router) { this.router = router; }

    @Override public void handle(HttpExchange ex) {
        long t0 = TRACE ? System.nanoTime() : 0;
        try {
            // ';' is an ordinary character here: filters and labels may contain it.
            QueryStringDecoder q = new QueryStringDecoder(ex.uri(), StandardCharsets.UTF_8, true, 1024, true);
            ApiVersion.Split split = ApiVersion.split(q.path());
            Router.Match m = router.match(ex.method(), split.path()).orElseThrow(HttpError::pageNotFound);
            if (split.version() != null) checkVersion(split.version());
            ApiVersion v = split.version() == null ? ApiVersion.MAX : split.version();
            m.handler().serve(new ApiRequest(ex, v, m.params(), q.parameters()));
        } catch (Throwable t) {
            fail(ex, t);
        } finally {
            if (TRACE) LOG.log(System.Logger.Level.INFO, String.format(java.util.Locale.ROOT, "trace http %s %s: %.1f ms",
                    ex.method(), ex.uri(), (System.nanoTime() - t0) / 1e6));
        }
    }

    /** Docker's exact refusals: too new is JSON, too old is plain text. */
    static void checkVersion(ApiVersion v) {
        if (ApiVersion.MAX.lessThan(v))
            throw HttpError.json(400, "client version " + v + " is too new. Maximum supported API version is " + ApiVersion.MAX);
        if (v.lessThan(ApiVersion.MIN))
            throw HttpError.plain(400, "client version " + v + " is too old. Minimum supported API version is "
                    + ApiVersion.MIN + ", please upgrade your client to a newer version");
    }

    private static void fail(HttpExchange ex, Throwable t) {
        if (ex.committed()) {
            // Too late for a status: the handler started a stream and did not finish it.
            if (!ex.responseEnded()) {
                LOG.log(System.Logger.Level.WARNING, "aborting " + ex.method() + " " + ex.uri() + " mid-stream: " + t);
                ex.abort();
            }
            return;
        }
        switch (t) {
            case HttpError e when e.plainText() ->
                    ex.respond(e.status(), "text/plain; charset=utf-8", e.getMessage().getBytes(StandardCharsets.UTF_8));
            case HttpError e -> respondJson(ex, e.status(), e.getMessage());
            case BerthException e -> {
                int status = ErrorMapper.status(e.kind());
                if (status == 304) ex.respond(304, null, new byte[0]);
                else respondJson(ex, status, e.getMessage());
                if (status == 500) LOG.log(System.Logger.Level.WARNING, ex.method() + " " + ex.uri() + ": " + e.getMessage(), e.getCause());
            }
            default -> {
                LOG.log(System.Logger.Level.ERROR, "failure serving " + ex.method() + " " + ex.uri(), t);
                respondJson(ex, 500, "internal error: " + t);
            }
        }
    }

    private static void respondJson(HttpExchange ex, int status, String message) {
        ex.respond(status, "application/json", Json.bytes(Map.of("message", message == null ? "" : message)));
    }
}
