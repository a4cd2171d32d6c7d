package io.berth.server.wire;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.berth.api.BerthException;
import io.berth.api.image.RegistryAuth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Docker's registry.AuthConfig as it travels in the {@code X-Registry-Auth} header (base64url of
 * this JSON) and in the body of {@code POST /auth}. The legacy {@code auth} field (base64 of
 * {@code user:password}) is honoured when username is absent.
 */
public record RegistryAuthJson(
        @JsonProperty("username") String username,
        @JsonProperty("password") String password,
        @JsonProperty("auth") String auth,
        @JsonProperty("email") String email,
        @JsonProperty("serveraddress") String serverAddress,
        @JsonProperty("identitytoken") String identityToken,
        @JsonProperty("registrytoken") String registryToken) {

    public RegistryAuth toAuth() {
        String user = username, pass = password;
        if (empty(user) && !empty(auth)) {
            String decoded;
            try { decoded = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8); }
            catch (IllegalArgumentException e) { throw BerthException.invalid("decoding registry credentials: invalid base64 in \"auth\""); }
            int colon = decoded.indexOf(':');
            if (colon < 0) throw BerthException.invalid("decoding registry credentials: \"auth\" is not user:password");
            user = decoded.substring(0, colon);
            pass = decoded.substring(colon + 1);
        }
        if (empty(user) && empty(pass) && empty(identityToken) && empty(registryToken)) return null;
        return new RegistryAuth(nullIfEmpty(user), nullIfEmpty(pass), nullIfEmpty(serverAddress),
                nullIfEmpty(identityToken), nullIfEmpty(registryToken));
    }

    /**
     * Decodes an X-Registry-Auth header; null when absent or empty (anonymous). The CLI sends
     * padded base64url; other clients send standard base64 or drop the padding, so accept all.
     */
    public static RegistryAuth decodeHeader(String header) {
        if (header == null || header.isBlank()) return null;
        String s = header.trim().replace('+', '-').replace('/', '_');
        while (s.endsWith("=")) s = s.substring(0, s.length() - 1);
        byte[] json;
        try { json = Base64.getUrlDecoder().decode(s); }
        catch (IllegalArgumentException e) { throw BerthException.invalid("invalid X-Registry-Auth header: not base64url: %s", e.getMessage()); }
        if (new String(json, StandardCharsets.UTF_8).isBlank()) return null;
        try { return Json.MAPPER.readValue(json, RegistryAuthJson.class).toAuth(); }
        catch (java.io.IOException e) { throw BerthException.invalid("invalid X-Registry-Auth header: not JSON credentials"); }
    }

    private static boolean empty(String s) { return s == null || s.isEmpty(); }

    private static String nullIfEmpty(String s) { return empty(s) ? null : s; }
}
