package io.berth.it;

import io.berth.it.fixture.Berthd;
import io.berth.it.fixture.CommandResult;
import io.berth.it.fixture.Compression;
import io.berth.it.fixture.Digests;
import io.berth.it.fixture.DockerCli;
import io.berth.it.fixture.FaultProxy;
import io.berth.it.fixture.Image;
import io.berth.it.fixture.ImageBuilder;
import io.berth.it.fixture.Layer;
import io.berth.it.fixture.LayerBuilder;
import io.berth.it.fixture.LogOnFailure;
import io.berth.it.fixture.Pusher;
import io.berth.it.fixture.TempDirs;
import io.berth.it.fixture.TestImages;
import io.berth.it.fixture.TestRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pulls through a misbehaving network and a crashing daemon: transient faults are retried, corrupt
 * content is refused with a clear error and leaves nothing behind, and a daemon killed mid-pull
 * recovers on restart.
 */
class FaultIT {
    @RegisterExtension
    static final LogOnFailure LOGS = new LogOnFailure();

    static final int BIG = 50 * 1024 * 1024;

    static TestRegistry registry;
    static FaultProxy proxy;
    static Berthd daemon;
    static DockerCli docker;

    static Image flaky;
    static Image corrupt;
    static Image badDiffId;
    static Image big;

    @BeforeAll
    static void up() {
        registry = TestRegistry.open();
        LOGS.watch("registry", registry::logText);
        Pusher push = new Pusher(registry);
        flaky = new ImageBuilder()
                .layer(new LayerBuilder().randomFile("/a.bin", 4 << 20, 7).build(Compression.GZIP), "ADD a.bin /")
                .layer(new LayerBuilder().file("/b.txt", "b\n").build(Compression.GZIP), "ADD b.txt /")
                .build();
        push.push("it/flaky", "1", flaky);
        corrupt = TestImages.corruptible();
        push.push("it/corrupt", "1", corrupt);
        badDiffId = new ImageBuilder()
                .layer(new LayerBuilder().file("/x.txt", "x\n").build(Compression.GZIP), "ADD x.txt /")
                .wrongDiffId(0)
                .build();
        push.push("it/bad-diffid", "1", badDiffId);
        big = TestImages.bigRandom(BIG, 99);
        push.push("it/big", "1", big);

        proxy = FaultProxy.in(registry);
        LOGS.watch("fault proxy", () -> String.join("\n", proxy.log()));
        daemon = Berthd.start();
        LOGS.watch("berthd", daemon::logText);
        docker = daemon.docker();
    }

    @AfterAll
    static void down() {
        if (daemon != null) {
            daemon.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void connectionDroppedMidBlobAndA500AreRetried() {
        String ref = proxy.hostPort() + "/it/flaky:1";
        Layer large = flaky.layers().get(0);
        Layer small = flaky.layers().get(1);
        proxy.dropMidBlobOnce(large.digest())
                .fail500Once(FaultProxy.blobPath("it/flaky", small.digest()));
        long firedBefore = proxy.faultsFired();

        CommandResult r = docker.ok("pull", ref);
        assertThat(r.lines()).contains("Status: Downloaded newer image for " + ref);
        assertThat(proxy.faultsFired() - firedBefore).as("both faults were hit").isEqualTo(2);
        List<String> largeGets = proxy.log(large.digest()).stream().filter(l -> l.startsWith("GET")).toList();
        assertThat(largeGets).as("the dropped blob was fetched again").hasSizeGreaterThanOrEqualTo(2);
        assertThat(largeGets.getFirst()).contains("[dropped after");
        // The 500 may hit a HEAD or a GET, whichever berthd sends first; a GET must then succeed.
        assertThat(proxy.log(small.digest()))
                .anySatisfy(l -> assertThat(l).endsWith("-> 500 [injected]"))
                .anySatisfy(l -> assertThat(l).startsWith("GET").endsWith("-> 200"));
        assertThat(docker.inspectImage(ref).get("Id").asText()).isEqualTo(flaky.id());
    }

    @Test
    void blobWhoseBytesDoNotMatchItsDigestIsRefusedAndNotKept() throws IOException {
        String ref = proxy.hostPort() + "/it/corrupt:1";
        Layer layer = corrupt.layers().getFirst();
        proxy.corruptBlob(layer.digest());
        byte[] bad = layer.bytes().clone();
        bad[bad.length / 2] ^= (byte) 0xff;
        String badDigest = Digests.sha256(bad);
        try {
            CommandResult r = docker.run("pull", ref);
            assertThat(r.exitCode()).as(r.toString()).isNotZero();
            assertThat(r.stderr()).containsIgnoringCase("digest");
            assertThat(r.stderr()).as("names the blob").contains(Digests.hex(layer.digest()).substring(0, 12));
            assertThat(proxy.log(layer.digest())).anySatisfy(l -> assertThat(l).contains("[corrupted]"));
        } finally {
            proxy.clearFaults();
        }
        assertThat(docker.repoTags()).doesNotContain(ref);
        assertThat(docker.run("image", "inspect", ref).stderr()).contains("No such image");
        assertThat(filesWithDigest(daemon.root(), bad.length, badDigest))
                .as("no copy of the unverified bytes is left under the daemon root").isEmpty();

        // The store is not poisoned: with honest bytes the same pull works.
        docker.ok("pull", ref);
        assertThat(docker.inspectImage(ref).get("Id").asText()).isEqualTo(corrupt.id());
    }

    @Test
    void configWhoseDiffIdDoesNotMatchTheLayerIsRefused() {
        String ref = registry.hostPort() + "/it/bad-diffid:1";
        CommandResult r = docker.run("pull", ref);
        assertThat(r.exitCode()).as(r.toString()).isNotZero();
        // dockerd says "layers from manifest don't match image configuration".
        assertThat(r.stderr()).matches("(?is).*(diff.?id|uncompressed digest|match image configuration).*");
        assertThat(r.stderr()).as("names the layer or the diff_id it should have had").containsAnyOf(
                Digests.hex(badDiffId.diffIds().getFirst()).substring(0, 12),
                Digests.hex(badDiffId.layers().getFirst().digest()).substring(0, 12),
                Digests.hex(badDiffId.layers().getFirst().diffId()).substring(0, 12));
        assertThat(docker.repoTags()).doesNotContain(ref);
        assertThat(docker.run("image", "inspect", ref).stderr()).contains("No such image");
    }

    @Test
    void daemonKilledMidPullRecoversOnRestart() throws Exception {
        String ref = proxy.hostPort() + "/it/big:1";
        Layer layer = big.layers().getFirst();
        Path out = daemon.dir().resolve("killed-pull.log");
        // 5 MB/s: the 50 MB layer takes ~10 s, leaving time to kill the daemon in the middle.
        proxy.throttle(5L << 20);
        Process pull = docker.start(out, "pull", ref);
        try {
            assertThat(proxy.awaitBytesServed(layer.digest(), 10L << 20, Duration.ofSeconds(60)))
                    .as("pull got going; docker printed: %s", read(out)).isTrue();
            daemon.kill9();
            assertThat(pull.waitFor(30, TimeUnit.SECONDS)).as("docker pull ends when the daemon dies").isTrue();
            assertThat(pull.exitValue()).isNotZero();
        } finally {
            pull.destroyForcibly();
            proxy.clearFaults();
        }
        assertThat(proxy.bytesServed(layer.digest())).isLessThan(layer.size());

        daemon.restart();
        assertThat(docker.repoTags()).as("nothing half-pulled is listed").doesNotContain(ref);

        CommandResult again = docker.ok("pull", ref);
        assertThat(again.lines()).contains("Status: Downloaded newer image for " + ref);
        assertThat(docker.repoTags().stream().filter(ref::equals)).hasSize(1);
        assertThat(docker.ok("images", "-q", proxy.hostPort() + "/it/big").lines())
                .containsExactly(Digests.shortId(big.id()));
        assertThat(docker.inspectImage(ref).get("Id").asText()).isEqualTo(big.id());
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Regular files under {@code root} of exactly {@code size} bytes whose sha256 is {@code digest}. */
    private static List<Path> filesWithDigest(Path root, long size, String digest) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> {
                        try {
                            return Files.size(p) == size;
                        } catch (IOException e) {
                            return false;
                        }
                    })
                    .filter(p -> Digests.sha256(p).equals(digest))
                    .toList();
        }
    }
}
