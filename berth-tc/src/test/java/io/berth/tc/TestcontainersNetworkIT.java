package io.berth.tc;

import io.berth.it.fixture.BusyboxDaemon;
import io.berth.it.fixture.LogOnFailure;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Testcontainers scenarios that need container networking: a published port reached from the test
 * through getHost()/getMappedPort() after the port wait strategy, and two containers on a
 * user-defined {@link Network} talking by alias. Skipped while berthd has no bridge network.
 */
class TestcontainersNetworkIT {
    @RegisterExtension
    static final LogOnFailure LOGS = new LogOnFailure();
    @RegisterExtension
    static final SharedBerthd BERTHD = new SharedBerthd(LOGS);

    /** Serves /www/index.html on 8080 with busybox's httpd (an applet of the image's busybox binary). */
    static final String HTTPD = "mkdir -p /www && echo hello-from-$(hostname) > /www/index.html && echo serving && exec busybox httpd -f -p 8080 -h /www";

    static BusyboxDaemon env;

    @BeforeAll
    static void up(BusyboxDaemon shared) {
        env = shared;
        assumeTrue(SharedBerthd.hasNetworking(env), "berthd has no bridge network yet");
    }

    @Test
    void exposedPortIsReachableThroughTheMappedPort() throws Exception {
        try (GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(env.image))
                .withCommand("sh", "-c", HTTPD)
                .withCreateContainerCmdModifier(cmd -> cmd.withHostName("tc-web"))
                .withExposedPorts(8080)
                .waitingFor(Wait.forListeningPort().withStartupTimeout(Duration.ofSeconds(30)))) {
            c.start();
            int port = c.getMappedPort(8080);
            assertThat(port).isPositive().isNotEqualTo(8080);
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://" + c.getHost() + ":" + port + "/index.html"))
                            .timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("hello-from-tc-web\n");

            // Without TESTCONTAINERS_HOST_OVERRIDE, on a machine with /.dockerenv (these ones), Testcontainers'
            // getHost() is the first IPAM gateway of GET /networks/bridge: the port must answer there too.
            String gateway = DockerClientFactory.instance().client().inspectNetworkCmd().withNetworkId("bridge").exec()
                    .getIpam().getConfig().stream().map(cfg -> cfg.getGateway()).filter(g -> g != null && !g.isEmpty())
                    .findFirst().orElseThrow(() -> new AssertionError("GET /networks/bridge has no IPAM gateway"));
            HttpResponse<String> viaGateway = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://" + gateway + ":" + port + "/index.html"))
                            .timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(viaGateway.body()).isEqualTo("hello-from-tc-web\n");
        }
    }

    @Test
    void twoContainersOnAUserNetworkTalkByAlias() throws Exception {
        try (Network net = Network.newNetwork();
             GenericContainer<?> web = new GenericContainer<>(DockerImageName.parse(env.image))
                     .withCommand("sh", "-c", HTTPD)
                     .withCreateContainerCmdModifier(cmd -> cmd.withHostName("tc-aliased"))
                     .withNetwork(net).withNetworkAliases("web")
                     .waitingFor(Wait.forLogMessage("serving\\n", 1));
             GenericContainer<?> client = new GenericContainer<>(DockerImageName.parse(env.image))
                     .withCommand("sh", "-c", "echo ready; exec sleep 300")
                     .withNetwork(net)
                     .waitingFor(Wait.forLogMessage("ready\\n", 1))) {
            web.start();
            client.start();
            var endpoint = web.getContainerInfo().getNetworkSettings().getNetworks().values().stream()
                    .filter(n -> net.getId().equals(n.getNetworkID())).findFirst().orElseThrow();
            assertThat(endpoint.getAliases()).contains("web");
            assertThat(endpoint.getIpAddress()).isNotBlank();
            // The server may need a moment to bind; retry for a few seconds inside the client container. (nc, not
            // wget: the static busybox's wget crashes resolving names through glibc's NSS.)
            var r = client.execInContainer("sh", "-c",
                    "i=0; while [ $i -lt 50 ]; do printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | nc web 8080 && exit 0; i=$((i+1)); sleep 0.1; done; exit 1");
            assertThat(r.getExitCode()).as(r.getStderr()).isZero();
            assertThat(r.getStdout()).startsWith("HTTP/1.").contains(" 200 OK\r\n").endsWith("\r\n\r\nhello-from-tc-aliased\n");
        }
    }
}
