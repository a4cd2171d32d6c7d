package io.berth.engine.image;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.api.BerthException;

import java.io.IOException;

/** The engine's one JSON mapper for OCI documents: lenient on unknown fields, strict on types. */
final class ImageJson {
    static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private ImageJson() {}

    static <T> T read(byte[] json, Class<T> type, String what) {
        try {
            return MAPPER.readValue(json, type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw BerthException.invalid("parsing %s: %s", what, e.getOriginalMessage());
        } catch (IOException e) {
            throw BerthException.invalid("parsing %s: %s", what, e.getMessage());
        }
    }

    static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw BerthException.internal("encoding JSON", e);
        }
    }
}
