package io.berth.api.image;

/** Registry credentials as Docker's X-Registry-Auth carries them. Either username/password or a token. */
public record RegistryAuth(String username, String password, String serverAddress, String identityToken, String registryToken) {
    public static RegistryAuth basic(String user, String password, String server) {
        return new RegistryAuth(user, password, server, null, null);
    }

    @Override public String toString() { return "RegistryAuth[" + username + "@" + serverAddress + "]"; } // never print secrets
}
