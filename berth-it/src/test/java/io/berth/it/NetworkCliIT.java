package io.berth.it;

import io.berth.it.fixture.BerthCli;
import io.berth.it.fixture.BusyboxDaemon;
import io.berth.it.fixture.CommandResult;
import io.berth.it.fixture.DockerCli;
import io.berth.it.fixture.LogOnFailure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Networking through the real docker CLI and the berth CLI against the real berthd: user networks
 * (create/ls/inspect/connect/disconnect/rm), a container reaching another by alias, published
 * ports shown by {@code port}, {@code ps} and inspect and really serving HTTP on 127.0.0.1.
 * Skipped when the daemon answers that networking is not available (a build without the engine).
 */
class NetworkCliIT {
    @RegisterExtension
    static final LogOnFailure LOGS = new LogOnFailure();

    static BusyboxDaemon env;
    static DockerCli docker;
    static BerthCli berth;
    static String image;

    static final String HTTPD = "mkdir -p /www && echo ok-from-berth > /www/index.html && exec httpd -f -p 8080 -h /www";

    @BeforeAll
    static void up() {
        env = BusyboxDaemon.start(LOGS);
        docker = env.docker;
        berth = env.berth;
        image = env.image;
        CommandResult probe = docker.run("network", "ls");
        Assumptions.assumeFalse(probe.stderr().contains("not available"), "this daemon has no networking: " + probe.stderr());
    }

    @AfterAll
    static void down() {
        if (env != null) {
            docker.run("rm", "-f", "it-web", "it-pub", "it-db");
            docker.run("network", "rm", "it-net");
            env.close();
        }
    }

    @Test
    void userNetworkVerbsAndNameResolution() throws Exception {
        String id = docker.ok("network", "create", "--subnet", "10.231.7.0/24", "--gateway", "10.231.7.1", "--label", "it=1", "it-net").out();
        assertThat(id).matches("[0-9a-f]{64}");
        assertThat(docker.ok("network", "ls", "--format", "{{.Name}} {{.Driver}} {{.Scope}}").lines()).contains("it-net bridge local", "bridge bridge local");
        assertThat(berth.ok("network", "ls", "-q", "--filter", "label=it=1").out()).isEqualTo(id.substring(0, 12));
        assertThat(docker.ok("network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}", "it-net").out())
                .isEqualTo("10.231.7.0/24 10.231.7.1");
        assertThat(docker.ok("network", "inspect", "-f", "{{range .IPAM.Config}}{{.Gateway}}{{end}}", "bridge").out()).isNotEmpty();

        docker.ok("run", "-d", "--name", "it-web", "--network", "it-net", "--network-alias", "web", "--ip", "10.231.7.50",
                image, "sh", "-c", HTTPD);
        assertThat(docker.ok("inspect", "-f", "{{(index .NetworkSettings.Networks \"it-net\").IPAddress}}", "it-web").out()).isEqualTo("10.231.7.50");
        assertThat(docker.ok("inspect", "-f", "{{json .NetworkSettings.Networks}}", "it-web").out()).contains("\"web\"");
        String got = "";
        Instant deadline = Instant.now().plusSeconds(20);
        while (Instant.now().isBefore(deadline)) {
            // busybox-static's wget crashes on Debian 12, so the request goes through nc
            CommandResult r = docker.run("run", "--rm", "--network", "it-net", image, "sh", "-c",
                    "printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | nc -w 5 web 8080");
            got = r.stdout();
            if (got.contains("ok-from-berth")) break;
            Thread.sleep(300);
        }
        assertThat(got).startsWith("HTTP/1.").endsWith("ok-from-berth\n");

        docker.ok("run", "-d", "--name", "it-db", image, "sleep", "100"); // running: it joins at once and is listed
        berth.ok("network", "connect", "--alias", "db", "it-net", "it-db");
        assertThat(docker.ok("network", "inspect", "-f", "{{range .Containers}}{{.Name}} {{end}}", "it-net").out()).contains("it-db");
        docker.ok("network", "disconnect", "it-net", "it-db");
        CommandResult busy = docker.run("network", "rm", "it-net");
        assertThat(busy.exitCode()).as(busy.toString()).isEqualTo(1);
        assertThat(busy.stderr()).contains("Error response from daemon:");
        docker.ok("rm", "-f", "it-web", "it-db");
        assertThat(berth.ok("network", "rm", "it-net").out()).isEqualTo("it-net");
    }

    @Test
    void publishedPortServesTheHostAndIsShownAsDockerShowsIt() throws Exception {
        docker.ok("run", "-d", "--name", "it-pub", "-p", "127.0.0.1::8080", "--expose", "9000", image, "sh", "-c", HTTPD);
        String line = docker.ok("port", "it-pub").out();
        Matcher m = Pattern.compile("^8080/tcp -> 127\\.0\\.0\\.1:(\\d+)$").matcher(line);
        assertThat(m.matches()).as(line).isTrue();
        int port = Integer.parseInt(m.group(1));
        assertThat(berth.ok("port", "it-pub").out()).isEqualTo(line);
        assertThat(berth.ok("port", "it-pub", "8080").out()).isEqualTo("127.0.0.1:" + port);
        assertThat(docker.ok("ps", "--format", "{{.Ports}}", "-f", "name=it-pub").out()).isEqualTo("9000/tcp, 127.0.0.1:" + port + "->8080/tcp");
        assertThat(berth.ok("ps", "--format", "{{.Ports}}", "-f", "name=it-pub").out()).isEqualTo("9000/tcp, 127.0.0.1:" + port + "->8080/tcp");
        assertThat(docker.ok("inspect", "-f", "{{json .NetworkSettings.Ports}}", "it-pub").out())
                .isEqualTo("{\"8080/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"" + port + "\"}],\"9000/tcp\":null}");

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        String body = null;
        Instant deadline = Instant.now().plusSeconds(20);
        while (body == null && Instant.now().isBefore(deadline)) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) body = r.body();
            } catch (java.io.IOException e) {
                Thread.sleep(200);
            }
        }
        assertThat(body).isEqualTo("ok-from-berth\n");
        docker.ok("rm", "-f", "it-pub");
    }
}
