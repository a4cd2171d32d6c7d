package io.berth.server.api;

import io.berth.server.http.HttpExchange;
import io.berth.server.wire.Json;
import io.berth.server.wire.JsonMessage;

import java.io.IOException;

/**
 * A stream of Docker JSON messages ({@code application/json}, one object per chunk ending in CRLF,
 * flushed each). The response starts with the first message, not before: an error raised before
 * anything was sent still becomes a proper status ({@code 500 {"message":"manifest unknown"}}),
 * one raised after goes into the stream as errorDetail, exactly as dockerd behaves.
 *
 * <p>Thread-safe: pull listeners call it from several download threads. If the client goes away
 * the stream goes quiet instead of failing the engine's work.
 */
public final class JsonStream {
    private static final byte[] CRLF = {'\r', '\n'};
    private final HttpExchange exchange;
    private HttpExchange.ChunkedResponse out;
    private boolean broken;

    public JsonStream(HttpExchange exchange) { this.exchange = exchange; }

    public synchronized boolean started() { return out != null; }

    /** Sends one message; returns false when the client is gone. */
    public synchronized boolean send(JsonMessage message) {
        if (broken) return false;
        try {
            if (out == null) out = exchange.startChunked(200, "application/json");
            byte[] json = Json.bytes(message);
            byte[] line = new byte[json.length + 2];
            System.arraycopy(json, 0, line, 0, json.length);
            System.arraycopy(CRLF, 0, line, json.length, 2);
            out.write(line);
            return true;
        } catch (IOException e) {
            broken = true;
            return false;
        }
    }

    /** Ends the stream, starting it first if nothing was sent (an empty 200 stream). */
    public synchronized void end() {
        if (broken) { exchange.abort(); return; }
        try {
            if (out == null) out = exchange.startChunked(200, "application/json");
            out.end();
        } catch (IOException e) {
            exchange.abort();
        }
    }
}
