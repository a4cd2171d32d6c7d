package io.berth.server.http;

/**
 * Serves one HTTP exchange. Called on a virtual thread, so it may block (engine calls, reading the
 * request body, writing a long stream). It must commit a response; if it returns without one the
 * transport answers 500, and if it leaves a stream open the transport aborts the connection.
 */
@FunctionalInterface
public interface ExchangeHandler {
    void handle(HttpExchange exchange) throws Exception;
}
