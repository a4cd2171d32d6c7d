package io.berth.daemon;

import io.berth.engine.Engine;
import io.berth.engine.EngineConfig;
import io.berth.server.BerthServer;
import io.berth.server.ServerConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

/**
 * A running berthd: the root lock, the engine and the API server, started in that order and
 * closed in reverse. {@link #close()} is what SIGTERM/SIGINT run (via the shutdown hook).
 */
public final class Daemon implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.berth.daemon");
    /** Running requests get this long to finish on shutdown before their connections are cut. */
    static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);

    private final DaemonOptions options;
    private final RootLock lock;
    private final Engine engine;
    private final BerthServer.Handle server;
    private final Object state = new Object();
    private boolean closing, closed;

    private Daemon(DaemonOptions options, RootLock lock, Engine engine, BerthServer.Handle server) {
        this.options = options;
        this.lock = lock;
        this.engine = engine;
        this.server = server;
    }

    public static Daemon start(DaemonOptions options, EngineFactory engines) throws DaemonException {
        DaemonConfig config = DaemonConfig.load(options.config(), options.configExplicit());
        if (!config.unknownKeys().isEmpty())
            LOG.log(System.Logger.Level.WARNING, "ignoring unknown keys in {0}: {1}", options.config(), config.unknownKeys());
        createRoot(options.root());
        RootLock lock = RootLock.acquire(options.root());
        Engine engine = null;
        try {
            SocketGuard.clearStale(options.socket());
            EngineConfig ec = EngineConfig.defaults(options.root());
            ec = new EngineConfig(ec.root(), config.insecureRegistries(), config.maxConcurrentDownloads(), ec.dockerConfig());
            ec = ec.withHooks(config.hooks(), config.hooksDir()).withNetwork(config.network());
            try { engine = engines.open(ec); }
            catch (Exception e) { throw new DaemonException("opening the engine on " + options.root() + ": " + e.getMessage(), e); }
            BerthServer.Handle server;
            try {
                server = new BerthServer(new ServerConfig(options.socket(), DaemonMain.version(), ServerConfig.MODE_0660, SHUTDOWN_GRACE),
                        engine.images(), engine.system(), lazyContainers(engine), engine.networks(), engine.volumes()).start();
            } catch (IOException e) {
                throw new DaemonException("listening on unix://" + options.socket() + ": " + e.getMessage(), e);
            }
            LOG.log(System.Logger.Level.INFO, "berthd {0} (pid {1}) serving the Docker API on unix://{2}, root {3}",
                    DaemonMain.version(), Long.toString(ProcessHandle.current().pid()), options.socket(), options.root());
            return new Daemon(options, lock, engine, server);
        } catch (DaemonException | RuntimeException e) {
            if (engine != null) closeQuietly(engine);
            lock.close();
            throw e;
        }
    }

    public Path socket() { return server.socket(); }

    public DaemonOptions options() { return options; }

    /** Blocks until {@link #close()} has finished. */
    public void awaitClose() throws InterruptedException {
        synchronized (state) { while (!closed) state.wait(); }
    }

    /** Stops accepting, lets running requests finish (up to 5 s), closes the engine, removes the socket, unlocks. */
    @Override public void close() {
        synchronized (state) {
            if (closing) return;
            closing = true;
        }
        LOG.log(System.Logger.Level.INFO, "shutting down ({0} request(s) running)", server.inflight());
        try {
            try { server.close(); }
            catch (RuntimeException e) { LOG.log(System.Logger.Level.WARNING, "stopping the API server: " + e.getMessage()); }
            closeQuietly(engine);
            lock.close();
            LOG.log(System.Logger.Level.INFO, "stopped");
        } finally {
            synchronized (state) { closed = true; state.notifyAll(); }
        }
    }

    private static void createRoot(Path root) throws DaemonException {
        try {
            if (!Files.isDirectory(root)) {
                Files.createDirectories(root);
                // Like /var/lib/docker: others may traverse to bind-mounted paths but not list the state.
                Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
            }
        } catch (IOException e) {
            throw new DaemonException("creating root " + root + ": " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(Engine engine) {
        try { engine.close(); }
        catch (RuntimeException e) { LOG.log(System.Logger.Level.WARNING, "closing the engine: " + e.getMessage()); }
    }

    /**
     * The engine's container face, looked up on each call rather than at start-up: until the
     * native container service lands {@code Engine.containers()} throws UNAVAILABLE, and that must
     * fail container requests, not the daemon.
     */
    static io.berth.api.container.ContainerEngine lazyContainers(Engine engine) {
        return (io.berth.api.container.ContainerEngine) java.lang.reflect.Proxy.newProxyInstance(
                io.berth.api.container.ContainerEngine.class.getClassLoader(),
                new Class<?>[]{io.berth.api.container.ContainerEngine.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) return switch (method.getName()) {
                        case "equals" -> proxy == args[0];
                        case "hashCode" -> System.identityHashCode(proxy);
                        default -> "ContainerEngine(lazy)";
                    };
                    try { return method.invoke(engine.containers(), args); }
                    catch (java.lang.reflect.InvocationTargetException e) { throw e.getCause(); }
                });
    }
}
