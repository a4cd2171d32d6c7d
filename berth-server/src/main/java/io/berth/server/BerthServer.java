package io.berth.server;

import io.berth.api.image.ImageEngine;
import io.berth.api.system.SystemEngine;
import io.berth.api.container.ContainerEngine;
import io.berth.server.api.ApiDispatcher;
import io.berth.server.api.ContainerRoutes;
import io.berth.server.api.ApiVersion;
import io.berth.server.api.ImageRoutes;
import io.berth.server.api.Router;
import io.berth.server.api.SystemRoutes;
import io.berth.server.http.HttpTransport;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpHeaders;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Date;

/**
 * berthd's Docker-compatible API server: HTTP/1.1 on a unix socket, Docker Engine API 1.44
 * (minimum 1.24), paths with and without {@code /vX.Y}.
 *
 * <pre>{@code
 * try (BerthServer.Handle h = new BerthServer(ServerConfig.of(Path.of("/run/berth/berth.sock"), "0.1.0"),
 *                                             engine.images(), engine.system()).start()) {
 *     h.awaitClose();   // or close() from a shutdown hook
 * }
 * }</pre>
 */
public final class BerthServer {
    private final ServerConfig config;
    private final Router router = new Router();
    private final String serverHeader;

    public BerthServer(ServerConfig config, ImageEngine images, SystemEngine system) {
        this(config, images, system, UNAVAILABLE_CONTAINERS);
    }

    /**
     * @param containers used only when a container request arrives, never at start-up, so an
     *     engine whose container service is not available yet can still serve images
     */
    public BerthServer(ServerConfig config, ImageEngine images, SystemEngine system, ContainerEngine containers) {
        this(config, images, system, containers,
                io.berth.api.Unavailable.of(io.berth.api.network.NetworkEngine.class, "networks are not available in this daemon"),
                io.berth.api.Unavailable.of(io.berth.api.volume.VolumeEngine.class, "volumes are not available in this daemon"));
    }

    public BerthServer(ServerConfig config, ImageEngine images, SystemEngine system, ContainerEngine containers,
                       io.berth.api.network.NetworkEngine networks, io.berth.api.volume.VolumeEngine volumes) {
        this.config = config;
        this.serverHeader = "Berth/" + config.serverVersion() + " (linux)";
        new SystemRoutes(system).register(router);
        new ImageRoutes(images).register(router);
        new ContainerRoutes(containers).register(router);
        new io.berth.server.api.NetworkRoutes(networks).register(router);
        new io.berth.server.api.VolumeRoutes(volumes).register(router);
    }

    private static final ContainerEngine UNAVAILABLE_CONTAINERS =
            io.berth.api.Unavailable.of(ContainerEngine.class, "containers are not available in this daemon");


    /**
     * Binds the socket and starts serving. The socket appears at its path already with
     * {@link ServerConfig#socketMode()}: it is bound in a private (0700) directory next to the
     * target, chmod-ed there and renamed into place, so no client can connect in between with the
     * umask's looser permissions.
     */
    public Handle start() throws IOException {
        Path socket = config.socket().toAbsolutePath();
        if (Files.exists(socket, java.nio.file.LinkOption.NOFOLLOW_LINKS))
            throw new IOException("starting the API server: " + socket + " already exists");
        Path dir = socket.getParent();
        Files.createDirectories(dir);
        Path staging = Files.createTempDirectory(dir, ".berth-bind-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        HttpTransport transport = new HttpTransport(new ApiDispatcher(router), this::commonHeaders, ContainerRoutes::hijackCandidate);
        try {
            Path tmp = staging.resolve("s");
            transport.bind(tmp);
            Files.setPosixFilePermissions(tmp, config.socketMode());
            Files.move(tmp, socket, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            transport.close(java.time.Duration.ZERO);
            throw e;
        } finally {
            try (var s = Files.list(staging)) { s.forEach(p -> p.toFile().delete()); }
            Files.deleteIfExists(staging);
        }
        return new Handle(socket, transport, config);
    }

    private void commonHeaders(HttpHeaders h) {
        h.set("Api-Version", ApiVersion.MAX.toString());
        h.set("Docker-Experimental", "false");
        h.set("Ostype", "linux");
        h.set("Server", serverHeader);
        h.set("Date", DateFormatter.format(new Date()));
    }

    /** A running server. {@link #close()} stops accepting, lets requests finish, then removes the socket. */
    public static final class Handle implements AutoCloseable {
        private final Path socket;
        private final HttpTransport transport;
        private final ServerConfig config;
        private final Object lock = new Object();
        private boolean closing, closed;

        private Handle(Path socket, HttpTransport transport, ServerConfig config) {
            this.socket = socket;
            this.transport = transport;
            this.config = config;
        }

        public Path socket() { return socket; }

        /** Requests being served right now. */
        public int inflight() { return transport.inflight(); }

        /** Blocks until {@link #close()} has completed (from another thread, e.g. a shutdown hook). */
        public void awaitClose() throws InterruptedException {
            synchronized (lock) { while (!closed) lock.wait(); }
        }

        @Override public void close() {
            synchronized (lock) {
                if (closing) {
                    while (!closed) {
                        try { lock.wait(); } catch (InterruptedException e) { Thread.currentThread().interrupt(); return; }
                    }
                    return;
                }
                closing = true;
            }
            try {
                transport.close(config.shutdownGrace());
                Files.deleteIfExists(socket);
            } catch (IOException e) {
                throw new UncheckedIOException("removing " + socket, e);
            } finally {
                synchronized (lock) { closed = true; lock.notifyAll(); }
            }
        }
    }
}
