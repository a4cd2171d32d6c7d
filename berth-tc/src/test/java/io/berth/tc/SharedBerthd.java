package io.berth.tc;

import io.berth.it.fixture.BusyboxDaemon;
import io.berth.it.fixture.LogOnFailure;
import io.berth.it.fixture.UnixHttp;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.io.IOException;

/**
 * One berthd (with a registry and the busybox image already pulled into it) for the whole test JVM.
 *
 * <p>Testcontainers' {@code DockerClientFactory} is a JVM-wide singleton that resolves the Docker host
 * once, so every test class must talk to the same daemon: it lives in JUnit's root store and is closed
 * (daemon stopped, temp dirs removed) when the run ends. The daemon's socket is handed to both clients
 * through the {@code DOCKER_HOST} system property, which docker-java's {@code DefaultDockerClientConfig}
 * reads after the environment; nothing outside this JVM is changed.
 *
 * <pre>{@code
 * @RegisterExtension static final LogOnFailure LOGS = new LogOnFailure();
 * @RegisterExtension static final SharedBerthd BERTHD = new SharedBerthd(LOGS);
 * @BeforeAll static void up(BusyboxDaemon env) { ... }
 * }</pre>
 */
final class SharedBerthd implements ParameterResolver {
    private final LogOnFailure logs;

    SharedBerthd(LogOnFailure logs) {
        this.logs = logs;
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
        return p.getParameter().getType() == BusyboxDaemon.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext c) {
        return get(c, logs);
    }

    static BusyboxDaemon get(ExtensionContext context, LogOnFailure logs) {
        BusyboxDaemon env = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(SharedBerthd.class, k -> start(logs), BusyboxDaemon.class);
        logs.watch("berthd", env.daemon::logText);
        return env;
    }

    private static BusyboxDaemon start(LogOnFailure logs) {
        BusyboxDaemon env = BusyboxDaemon.start(logs);
        System.setProperty("DOCKER_HOST", env.daemon.dockerHost());
        return env;
    }

    /**
     * Whether berthd has container networking yet (a {@code bridge} network with a gateway): the
     * published-port and user-network scenarios need it and are skipped, not failed, until it lands.
     */
    static boolean hasNetworking(BusyboxDaemon env) {
        try {
            UnixHttp.Response r = UnixHttp.get(env.daemon.socket(), "/networks/bridge");
            return r.status() == 200 && r.text().contains("\"Gateway\"");
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether {@code GET path} answers 200 (a route that other work is still adding). */
    static boolean answers(BusyboxDaemon env, String path) {
        try {
            return UnixHttp.get(env.daemon.socket(), path).status() == 200;
        } catch (IOException e) {
            return false;
        }
    }
}
