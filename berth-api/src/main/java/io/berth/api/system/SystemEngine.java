package io.berth.api.system;

import io.berth.api.image.RegistryAuth;

/** Facts about the engine and host, and registry login. */
public interface SystemEngine {
    VersionReport version();

    InfoReport info();

    /**
     * Checks credentials against a registry (the Bearer or Basic flow it asks for) and returns a
     * status message like "Login Succeeded". Throws UNAUTHORIZED when the registry refuses them.
     */
    String login(RegistryAuth auth);
}
