package io.berth.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One line of Docker's streaming JSON (pull, load): status with optional layer id and progress,
 * a {@code stream} text line, or an error. Kept at wire level so the CLI can print exactly what
 * the daemon said; {@link BerthClient#pull} translates it to {@link io.berth.api.image.PullEvent}.
 *
 * @param current progress bytes, or -1 when the line has no progressDetail numbers
 * @param total   total bytes, or -1 when unknown
 * @param hasProgress true when the line carried a {@code progressDetail} object (even {@code {}});
 *                Docker's terminal renderer keeps such lines in place, one per layer id
 */
public record JsonMessage(String id, String status, long current, long total, boolean hasProgress,
                          String progress, String stream, String error) {

    public static JsonMessage status(String id, String status) {
        return new JsonMessage(id, status, -1, -1, false, null, null, null);
    }

    public static JsonMessage progress(String id, String status, long current, long total) {
        return new JsonMessage(id, status, current, total, true, null, null, null);
    }

    static JsonMessage of(JsonNode n) {
        String error = null;
        JsonNode ed = n.get("errorDetail");
        if (ed != null && ed.hasNonNull("message")) error = ed.get("message").asText();
        else if (n.hasNonNull("error")) error = n.get("error").asText();
        JsonNode pd = n.get("progressDetail");
        long cur = -1, tot = -1;
        if (pd != null && pd.isObject()) {
            if (pd.has("current")) cur = pd.get("current").asLong();
            if (pd.has("total")) tot = pd.get("total").asLong();
        }
        return new JsonMessage(text(n, "id"), text(n, "status"), cur, tot, pd != null && pd.isObject(),
                text(n, "progress"), text(n, "stream"), error);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
