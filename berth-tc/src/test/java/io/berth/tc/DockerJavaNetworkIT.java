package io.berth.tc;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import io.berth.it.fixture.BusyboxDaemon;
import io.berth.it.fixture.LogOnFailure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * docker-java's client with networking: a published port (random host port) reached on 127.0.0.1,
 * and a user-defined bridge network whose containers reach each other by alias. Skipped while
 * berthd has no bridge network.
 */
class DockerJavaNetworkIT {
    @RegisterExtension
    static final LogOnFailure LOGS = new LogOnFailure();
    @RegisterExtension
    static final SharedBerthd BERTHD = new SharedBerthd(LOGS);

    static BusyboxDaemon env;
    static DockerClient docker;
    final List<String> containers = new ArrayList<>();
    final List<String> networks = new ArrayList<>();

    @BeforeAll
    static void up(BusyboxDaemon shared) {
        env = shared;
        assumeTrue(SharedBerthd.hasNetworking(env), "berthd has no bridge network yet");
        docker = DockerJava.client(env, "1.44");
    }

    @AfterAll
    static void down() throws IOException {
        if (docker != null) docker.close();
    }

    @AfterEach
    void cleanUp() {
        containers.forEach(id -> {
            try {
                docker.removeContainerCmd(id).withForce(true).exec();
            } catch (NotFoundException gone) {
                // already removed
            }
        });
        networks.forEach(id -> {
            try {
                docker.removeNetworkCmd(id).exec();
            } catch (NotFoundException gone) {
                // already removed
            }
        });
    }

    @Test
    void publishedRandomPortServesTcpOnLocalhost() throws Exception {
        ExposedPort tcp8080 = ExposedPort.tcp(8080);
        String id = docker.createContainerCmd(env.image)
                .withCmd("sh", "-c", "while true; do echo pong | nc -l -p 8080; done")
                .withExposedPorts(tcp8080)
                .withHostConfig(HostConfig.newHostConfig().withPortBindings(new PortBinding(Ports.Binding.empty(), tcp8080)))
                .exec().getId();
        containers.add(id);
        docker.startContainerCmd(id).exec();

        var info = docker.inspectContainerCmd(id).exec();
        Ports.Binding[] bindings = info.getNetworkSettings().getPorts().getBindings().get(tcp8080);
        assertThat(bindings).isNotEmpty();
        int port = Integer.parseInt(bindings[0].getHostPortSpec());
        assertThat(port).isPositive();
        assertThat(info.getHostConfig().getPortBindings().getBindings()).containsKey(tcp8080);
        assertThat(info.getNetworkSettings().getIpAddress()).isNotBlank();

        String answer = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (answer == null || answer.isEmpty()) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(5000);
                InputStream in = s.getInputStream();
                answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) throw notYet;
                Thread.sleep(100);
            }
        }
        assertThat(answer).isEqualTo("pong\n");
    }

    @Test
    void containersOnAUserNetworkReachEachOtherByAlias() throws Exception {
        String net = docker.createNetworkCmd().withName("berth-tc-dj").withDriver("bridge").exec().getId();
        networks.add(net);
        assertThat(docker.inspectNetworkCmd().withNetworkId("berth-tc-dj").exec().getId()).isEqualTo(net);

        String server = docker.createContainerCmd(env.image)
                .withCmd("sh", "-c", "while true; do echo from-server | nc -l -p 9000; done")
                .withHostConfig(HostConfig.newHostConfig().withNetworkMode("berth-tc-dj"))
                .withAliases("srv")
                .exec().getId();
        containers.add(server);
        docker.startContainerCmd(server).exec();
        var endpoint = docker.inspectContainerCmd(server).exec().getNetworkSettings().getNetworks().get("berth-tc-dj");
        assertThat(endpoint).isNotNull();
        assertThat(endpoint.getAliases()).contains("srv");

        String client = docker.createContainerCmd(env.image)
                .withCmd("sh", "-c", "i=0; while [ $i -lt 50 ]; do nc srv 9000 </dev/null && exit 0; i=$((i+1)); sleep 0.1; done; exit 1")
                .withHostConfig(HostConfig.newHostConfig().withNetworkMode("berth-tc-dj"))
                .exec().getId();
        containers.add(client);
        docker.startContainerCmd(client).exec();
        int code = docker.waitContainerCmd(client).start().awaitStatusCode(30, TimeUnit.SECONDS);
        DockerJavaIT.Frames logs = docker.logContainerCmd(client).withStdOut(true).withStdErr(true)
                .exec(new DockerJavaIT.Frames(null));
        logs.awaitCompletion(10, TimeUnit.SECONDS);
        assertThat(code).as(logs.text(com.github.dockerjava.api.model.StreamType.STDERR)).isZero();
        assertThat(logs.text(com.github.dockerjava.api.model.StreamType.STDOUT)).isEqualTo("from-server\n");
    }
}
