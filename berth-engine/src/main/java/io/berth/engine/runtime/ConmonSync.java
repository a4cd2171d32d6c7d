package io.berth.engine.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.api.BerthException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads conmon's sync pipe: one JSON object per line, {@code {"data": N}} or {@code {"data": N,
 * "message": "..."}} (API version 1). A negative {@code data} is a failure whose message is the
 * runtime's stderr.
 */
final class ConmonSync {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Message(int data, String message) {
        boolean failed() { return data < 0; }
    }

    private final InputStream in;
    private final String what;

    ConmonSync(InputStream in, String what) {
        this.in = in;
        this.what = what;
    }

    /** The next message, or null when conmon closed the pipe (it exited) first. */
    Message next() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != -1; ) {
            if (b == '\n') return parse(line.toString(java.nio.charset.StandardCharsets.UTF_8));
            line.write(b);
        }
        return line.size() == 0 ? null : parse(line.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** {@link #next()} with a deadline; UNAVAILABLE on timeout. */
    Message next(Duration timeout) {
        CompletableFuture<Message> f = new CompletableFuture<>();
        Thread.startVirtualThread(() -> {
            try {
                f.complete(next());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw BerthException.unavailable("%s: conmon did not report within %s", what, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BerthException.unavailable("%s: interrupted", what);
        } catch (ExecutionException e) {
            throw BerthException.internal(what + ": reading conmon's sync pipe: " + e.getCause().getMessage(), e.getCause());
        }
    }

    static Message parse(String line) throws IOException {
        JsonNode n = JSON.readTree(line);
        if (n == null || !n.has("data")) throw new IOException("unexpected conmon sync message: " + line);
        return new Message(n.get("data").asInt(), n.hasNonNull("message") ? n.get("message").asText() : null);
    }
}
