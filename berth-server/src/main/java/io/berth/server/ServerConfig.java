package io.berth.server;

import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;

/**
 * How the API server listens.
 *
 * @param socket         path of the unix socket to create; it must not exist (the daemon removes
 *                       stale sockets before starting the server)
 * @param serverVersion  Berth's version, shown in the {@code Server: Berth/<version> (linux)} header
 * @param socketMode     permissions of the socket file; Docker's is 0660 (owner and group may connect)
 * @param shutdownGrace  how long {@link BerthServer.Handle#close()} lets running requests finish
 */
public record ServerConfig(Path socket, String serverVersion, Set<PosixFilePermission> socketMode, Duration shutdownGrace) {
    public static final Set<PosixFilePermission> MODE_0660 = PosixFilePermissions.fromString("rw-rw----");

    public ServerConfig {
        if (socket == null) throw new IllegalArgumentException("server config needs a socket path");
        if (serverVersion == null || serverVersion.isBlank()) serverVersion = "dev";
        socketMode = Set.copyOf(socketMode == null ? MODE_0660 : socketMode);
        if (shutdownGrace == null) shutdownGrace = Duration.ofSeconds(5);
    }

    public static ServerConfig of(Path socket, String serverVersion) {
        return new ServerConfig(socket, serverVersion, MODE_0660, Duration.ofSeconds(5));
    }
}
