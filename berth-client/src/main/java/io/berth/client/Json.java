package io.berth.client;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The shared ObjectMapper, created on first use: building it is the costliest thing the CLI does at start. */
public final class Json {
    private Json() { }

    private static final class Holder { static final ObjectMapper MAPPER = new ObjectMapper(); }

    public static ObjectMapper mapper() { return Holder.MAPPER; }
}
