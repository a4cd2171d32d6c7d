package io.berth.it;

import io.berth.it.fixture.BerthCli;
import io.berth.it.fixture.Berthd;
import io.berth.it.fixture.BusyboxDaemon;
import io.berth.it.fixture.DockerCli;
import io.berth.it.fixture.LogOnFailure;
import io.berth.it.fixture.TestRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The common set-up of the ITs that drive one berthd with a busybox image: a registry and a daemon
 * per test class ({@link BusyboxDaemon}), their logs printed when something fails, and at the end
 * every container removed before the daemon stops (conmon would keep them running otherwise).
 *
 * <p>The fields are static and shared by the subclasses, which is sound because failsafe runs the
 * test classes one after another; each class's {@code @BeforeAll} sets them afresh.
 */
abstract class OnBusyboxDaemon {
    @RegisterExtension
    static final LogOnFailure LOGS = new LogOnFailure();

    static BusyboxDaemon env;
    static TestRegistry registry;
    static Berthd daemon;
    static DockerCli docker;
    static BerthCli berth;
    static String image;

    @BeforeAll
    static void up() {
        env = BusyboxDaemon.start(LOGS);
        registry = env.registry;
        daemon = env.daemon;
        docker = env.docker;
        berth = env.berth;
        image = env.image;
    }

    @AfterAll
    static void down() {
        if (env == null) return;
        try {
            for (String id : docker.run("ps", "-aq").lines()) docker.run("rm", "-f", id);
        } finally {
            env.close();
            env = null;
        }
    }
}
