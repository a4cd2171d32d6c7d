package io.berth.server.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.berth.api.image.PullEvent;

/**
 * One line of Docker's streaming JSON (moby's jsonmessage.JSONMessage), field order as Go writes it.
 * Pull progress: {@code {"status":"Downloading","progressDetail":{"current":1,"total":2},"progress":"[=> ]…","id":"fdd779cd6f10"}};
 * load output: {@code {"stream":"Loaded image: busybox:latest\n"}}; failures: {@code {"errorDetail":{"message":m},"error":m}}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"stream", "status", "progressDetail", "progress", "id", "errorDetail", "error"})
public record JsonMessage(
        @JsonProperty("stream") String stream,
        @JsonProperty("status") String status,
        @JsonProperty("progressDetail") ProgressDetail progressDetail,
        @JsonProperty("progress") String progress,
        @JsonProperty("id") String id,
        @JsonProperty("errorDetail") ErrorDetail errorDetail,
        @JsonProperty("error") String error) {

    /** Empty ({@code {}}) for status-only layer lines, as Docker sends them. */
    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    public record ProgressDetail(@JsonProperty("current") long current, @JsonProperty("total") long total) {
        public static final ProgressDetail EMPTY = new ProgressDetail(0, 0);
    }

    public record ErrorDetail(@JsonProperty("message") String message) {}

    public static JsonMessage status(String status) { return new JsonMessage(null, status, null, null, null, null, null); }

    public static JsonMessage stream(String text) { return new JsonMessage(text, null, null, null, null, null, null); }

    public static JsonMessage error(String message) {
        return new JsonMessage(null, null, null, null, null, new ErrorDetail(message), message);
    }

    /** Translates an engine progress event into the line Docker would send for it. */
    public static JsonMessage of(PullEvent e) {
        return switch (e) {
            case PullEvent.Resolving r -> new JsonMessage(null, r.status(), null, null, r.id(), null, null);
            case PullEvent.Message m -> status(m.status());
            case PullEvent.Downloading d -> progress(d.status(), d.id(), d.current(), d.total());
            case PullEvent.Extracting x -> progress(x.status(), x.id(), x.current(), x.total());
            case PullEvent.Waiting w -> layer(w);
            case PullEvent.AlreadyExists a -> layer(a);
            case PullEvent.Retrying r -> layer(r);
            case PullEvent.Verifying v -> layer(v);
            case PullEvent.Downloaded d -> layer(d);
            case PullEvent.Complete c -> layer(c);
        };
    }

    private static JsonMessage layer(PullEvent e) {
        return new JsonMessage(null, e.status(), ProgressDetail.EMPTY, null, e.id(), null, null);
    }

    private static JsonMessage progress(String status, String id, long current, long total) {
        String bar = ProgressBar.render(current, total);
        return new JsonMessage(null, status, new ProgressDetail(current, total), bar.isEmpty() ? null : bar, id, null, null);
    }
}
