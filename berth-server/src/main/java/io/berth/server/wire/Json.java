package io.berth.server.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.berth.api.BerthException;

import java.io.IOException;
import java.io.InputStream;

/**
 * The one ObjectMapper of the Docker wire format. Unknown request fields are ignored and nulls are
 * kept on output, because Docker's Go types write {@code "Labels":null} and clients expect the key.
 */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private Json() {}

    public static byte[] bytes(Object value) {
        try { return MAPPER.writeValueAsBytes(value); }
        catch (JsonProcessingException e) { throw BerthException.internal("rendering JSON: " + e.getOriginalMessage(), e); }
    }

    public static String string(Object value) {
        try { return MAPPER.writeValueAsString(value); }
        catch (JsonProcessingException e) { throw BerthException.internal("rendering JSON: " + e.getOriginalMessage(), e); }
    }

    /** Reads a request body; a malformed one is the client's fault (400), as Docker ≥ 1.44 has it. */
    public static <T> T read(InputStream in, Class<T> type, String what) {
        try {
            byte[] data = in.readNBytes(16 << 20);
            if (data.length == 0) throw BerthException.invalid("%s: request body is empty", what);
            return MAPPER.readValue(data, type);
        } catch (JsonProcessingException e) {
            throw BerthException.invalid("%s: invalid JSON: %s", what, e.getOriginalMessage());
        } catch (IOException e) {
            throw BerthException.invalid("%s: reading the request body: %s", what, e.getMessage());
        }
    }
}
