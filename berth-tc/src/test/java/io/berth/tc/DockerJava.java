package io.berth.tc;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import io.berth.it.fixture.BusyboxDaemon;

import java.time.Duration;

/** docker-java clients for the shared berthd, built the way docker-java's README does it. */
final class DockerJava {
    private DockerJava() {}

    /** A client on the daemon's unix socket, pinned to {@code apiVersion} (null: no version prefix). */
    static DockerClient client(BusyboxDaemon env, String apiVersion) {
        DefaultDockerClientConfig.Builder b = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(env.daemon.dockerHost());
        if (apiVersion != null) {
            b.withApiVersion(apiVersion);
        }
        DefaultDockerClientConfig config = b.build();
        ZerodepDockerHttpClient http = new ZerodepDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .connectionTimeout(Duration.ofSeconds(10))
                .responseTimeout(Duration.ofSeconds(60))
                .build();
        return DockerClientImpl.getInstance(config, http);
    }
}
