package io.berth.engine.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.api.BerthException;
import io.berth.engine.content.ContentInfo;
import io.berth.engine.content.FileContentStore;
import io.berth.spec.image.Descriptor;
import io.berth.spec.image.Digest;
import io.berth.spec.image.Index;
import io.berth.spec.image.MediaTypes;
import io.berth.spec.image.Platform;
import io.berth.spec.image.Reference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static io.berth.engine.registry.TestRegistry.Flavor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The registry client against Debian's docker-registry, with a fault-injecting proxy in front for failures. */
class RegistryClientTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final RetryPolicy FAST = RetryPolicy.DEFAULT.withBackoff(Duration.ofMillis(10), Duration.ofMillis(50))
            .withMaxAttempts(4).withStallTimeout(Duration.ofSeconds(2));

    @TempDir static Path shared;
    static TestRegistry registry;
    static FaultProxy proxy;
    static RegistryClient client;
    static TestRegistry.Pushed image;

    @TempDir Path tmp;
    FileContentStore store;

    @BeforeAll
    static void startRegistry() throws IOException {
        registry = TestRegistry.start(shared.resolve("open"));
        proxy = new FaultProxy(registry.uri());
        client = new RegistryClient(RegistryHosts.defaults(), shared.resolve("no-config.json"), FAST);
        image = registry.pushImage("test/app", "v1", Flavor.OCI, Platform.LINUX_AMD64,
                List.of(random(3 << 20, 1), random(200_000, 2), random(10, 3)));
    }

    @AfterAll
    static void stop() {
        if (client != null) client.close();
        if (proxy != null) proxy.close();
        if (registry != null) registry.close();
    }

    @BeforeEach
    void openStore() throws IOException {
        store = new FileContentStore(tmp.resolve("content"));
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static Reference ref(String host, String rest) { return Reference.parse(host + "/" + rest); }

    static void assertKind(Throwable t, BerthException.Kind kind) {
        assertThat(t).isInstanceOf(BerthException.class);
        assertThat(((BerthException) t).kind()).as(t.getMessage()).isEqualTo(kind);
    }

    private List<Path> leftovers() throws IOException {
        try (Stream<Path> s = Files.walk(tmp.resolve("content"))) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    // ---- resolve ---------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Flavor.class)
    void resolvesByTagAndByDigestWithBothMediaTypeFamilies(Flavor flavor) throws IOException {
        TestRegistry.Pushed p = registry.pushImage("test/flavor-" + flavor.name().toLowerCase(), "t1", flavor, Platform.LINUX_AMD64,
                List.of(random(1000, 10)));
        Resolved byTag = client.resolve(ref(registry.host(), "test/flavor-" + flavor.name().toLowerCase() + ":t1"), null);
        assertThat(byTag.descriptor().mediaType()).isEqualTo(flavor.manifest);
        assertThat(byTag.descriptor().digest()).isEqualTo(p.manifest().digest());
        assertThat(byTag.descriptor().size()).isEqualTo(p.manifestBody().length);
        assertThat(byTag.body()).isEqualTo(p.manifestBody());

        Resolved byDigest = client.resolve(ref(registry.host(), "test/flavor-" + flavor.name().toLowerCase() + "@" + p.manifest().digest()), null);
        assertThat(byDigest.descriptor().digest()).isEqualTo(p.manifest().digest());
        assertThat(byDigest.body()).isEqualTo(p.manifestBody());

        byte[] fetched = client.fetchManifest(ref(registry.host(), "test/flavor-" + flavor.name().toLowerCase()), p.manifest(), null);
        assertThat(fetched).isEqualTo(p.manifestBody());
    }

    @ParameterizedTest
    @EnumSource(Flavor.class)
    void multiArchIndexSelectsPlatformWithVariantRules(Flavor flavor) throws IOException {
        String repo = "test/multi-" + flavor.name().toLowerCase();
        List<Platform> platforms = List.of(new Platform("linux", "arm", "v6"), new Platform("linux", "amd64", null),
                new Platform("linux", "arm64", "v8"), new Platform("linux", "arm", "v7"), new Platform("linux", "amd64", "v3"));
        List<Descriptor> entries = new ArrayList<>();
        for (int i = 0; i < platforms.size(); i++) {
            TestRegistry.Pushed p = registry.pushImage(repo, null, flavor, platforms.get(i), List.of(random(100, 100 + i)));
            entries.add(p.manifest().withPlatform(platforms.get(i)));
        }
        Descriptor idx = registry.pushIndex(repo, "latest", flavor, entries);

        Resolved r = client.resolve(ref(registry.host(), repo), null);
        assertThat(r.descriptor().mediaType()).isEqualTo(flavor.index);
        assertThat(r.descriptor().digest()).isEqualTo(idx.digest());
        Index index = JSON.readValue(r.body(), Index.class);

        assertThat(PlatformSelector.select(index, null).digest()).isEqualTo(entries.get(1).digest());
        assertThat(PlatformSelector.select(index, Platform.parse("linux/amd64")).digest()).isEqualTo(entries.get(1).digest());
        assertThat(PlatformSelector.select(index, Platform.parse("linux/arm64")).digest()).isEqualTo(entries.get(2).digest());
        assertThat(PlatformSelector.select(index, Platform.parse("linux/arm")).digest()).isEqualTo(entries.get(3).digest());
        assertThat(PlatformSelector.select(index, Platform.parse("linux/arm/v6")).digest()).isEqualTo(entries.get(0).digest());
        assertThatThrownBy(() -> PlatformSelector.select(index, Platform.parse("linux/s390x")))
                .satisfies(e -> assertKind(e, BerthException.Kind.NOT_FOUND))
                .hasMessage("no matching manifest for linux/s390x in the manifest list entries");

        Descriptor chosen = PlatformSelector.select(index, Platform.parse("linux/arm64/v8"));
        byte[] body = client.fetchManifest(ref(registry.host(), repo), chosen, null);
        assertThat(Digest.sha256(body)).isEqualTo(chosen.digest());
    }

    @Test
    void unknownTagIsNotFound() {
        assertThatThrownBy(() -> client.resolve(ref(registry.host(), "test/app:nope"), null))
                .satisfies(e -> assertKind(e, BerthException.Kind.NOT_FOUND))
                .hasMessageContaining("manifest for " + registry.host() + "/test/app:nope not found")
                .hasMessageContaining("manifest unknown");
    }

    @Test
    void digestReferenceMustMatchBody() {
        proxy.corruptManifests.set(1);
        assertThatThrownBy(() -> client.resolve(ref(proxy.host(), "test/app@" + image.manifest().digest()), null))
                .satisfies(e -> assertKind(e, BerthException.Kind.DATA_LOSS))
                .hasMessageContaining("manifest digest mismatch")
                .hasMessageContaining("expected " + image.manifest().digest());
    }

    @Test
    void dockerContentDigestHeaderIsNotTrusted() throws IOException {
        proxy.lieDigestHeader = true;
        try {
            Resolved r = client.resolve(ref(proxy.host(), "test/app:v1"), null);
            assertThat(r.descriptor().digest()).isEqualTo(image.manifest().digest());
        } finally {
            proxy.lieDigestHeader = false;
        }
    }

    @Test
    void hostileHugeManifestIsRefused() {
        proxy.hugeManifest = RegistryClient.MAX_MANIFEST_BYTES + 10;
        try {
            assertThatThrownBy(() -> client.resolve(ref(proxy.host(), "test/app:v1"), null))
                    .satisfies(e -> assertKind(e, BerthException.Kind.DATA_LOSS))
                    .hasMessageContaining("over the limit");
        } finally {
            proxy.hugeManifest = 0;
        }
    }

    // ---- blobs -----------------------------------------------------------------------------------

    @Test
    void fetchesBlobsIntoStoreWithProgressAndOnlyOnce() throws IOException {
        Reference repo = ref(proxy.host(), "test/app");
        List<long[]> seen = new CopyOnWriteArrayList<>();
        BlobProgress p = new BlobProgress() {
            @Override public void progress(long current, long total) { seen.add(new long[]{current, total}); }
        };
        for (Descriptor d : image.layers()) client.fetchBlob(repo, d, null, store, p);
        client.fetchBlob(repo, image.config(), null, store, BlobProgress.NONE);
        for (Descriptor d : image.layers()) {
            assertThat(store.info(d.digest())).get().extracting(ContentInfo::size).isEqualTo(d.size());
            assertThat(Digest.sha256(store.readAll(d.digest()))).isEqualTo(d.digest());
        }
        assertThat(seen).isNotEmpty();
        assertThat(seen.getLast()).containsExactly(image.layers().getLast().size(), image.layers().getLast().size());
        assertThat(seen).anySatisfy(x -> assertThat(x).containsExactly(3 << 20, 3 << 20));

        long before = proxy.count("/blobs/");
        client.fetchBlob(repo, image.layers().getFirst(), null, store, BlobProgress.NONE);
        assertThat(proxy.count("/blobs/")).as("a stored blob is not downloaded again").isEqualTo(before);
        assertThat(leftovers()).hasSize(4);
    }

    @Test
    void unknownBlobIsNotFound() {
        Descriptor missing = new Descriptor(MediaTypes.OCI_LAYER_GZIP, Digest.sha256(new byte[]{9, 9}), 2);
        assertThatThrownBy(() -> client.fetchBlob(ref(registry.host(), "test/app"), missing, null, store, BlobProgress.NONE))
                .satisfies(e -> assertKind(e, BerthException.Kind.NOT_FOUND))
                .hasMessageContaining("blob unknown");
    }

    @Test
    void corruptBlobIsDataLossAndNothingStays() throws IOException {
        proxy.corruptBlobs.set(1);
        Descriptor d = image.layers().getFirst();
        assertThatThrownBy(() -> client.fetchBlob(ref(proxy.host(), "test/app"), d, null, store, BlobProgress.NONE))
                .satisfies(e -> assertKind(e, BerthException.Kind.DATA_LOSS))
                .hasMessageContaining("digest mismatch")
                .hasMessageContaining("expected " + d.digest())
                .hasMessageContaining("got sha256:");
        assertThat(store.info(d.digest())).isEmpty();
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void manifestWithWrongLayerDigestFailsWithDataLossAndNothingStays() throws IOException {
        // A registry verifies pushes, so a manifest naming bytes by the wrong digest needs a fake registry.
        byte[] served = random(5000, 20);
        Descriptor claimed = new Descriptor(MediaTypes.OCI_LAYER_GZIP, Digest.sha256(random(5000, 21)), served.length);
        Descriptor config = new Descriptor(MediaTypes.OCI_CONFIG, Digest.sha256(new byte[]{'{', '}'}), 2);
        byte[] manifest = JSON.writeValueAsBytes(new io.berth.spec.image.Manifest(2, MediaTypes.OCI_MANIFEST, config, List.of(claimed), null));
        com.sun.net.httpserver.HttpServer fake = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        fake.createContext("/v2/", ex -> {
            try (ex) {
                String path = ex.getRequestURI().getPath();
                byte[] body = path.endsWith("/manifests/v1") ? manifest : path.endsWith("/blobs/" + claimed.digest()) ? served : null;
                if (body == null) { ex.sendResponseHeaders(404, -1); return; }
                if (body == manifest) ex.getResponseHeaders().set("Content-Type", MediaTypes.OCI_MANIFEST);
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            }
        });
        fake.start();
        try {
            Reference r = ref("127.0.0.1:" + fake.getAddress().getPort(), "fake/img:v1");
            Resolved res = client.resolve(r, null);
            Descriptor layer = JSON.readValue(res.body(), io.berth.spec.image.Manifest.class).layers().getFirst();
            assertThatThrownBy(() -> client.fetchBlob(r, layer, null, store, BlobProgress.NONE))
                    .satisfies(e -> assertKind(e, BerthException.Kind.DATA_LOSS))
                    .hasMessageContaining("digest mismatch: expected " + claimed.digest() + ", got " + Digest.sha256(served));
        } finally {
            fake.stop(0);
        }
        assertThat(store.list()).isEmpty();
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void wrongSizeInManifestIsDataLoss() throws IOException {
        byte[] data = random(4000, 21);
        Descriptor real = registry.pushBlob("test/size", data, MediaTypes.OCI_LAYER_GZIP);
        // docker-registry checks that a manifest's blobs exist, not their sizes: a manifest can lie about size.
        TestRegistry.Pushed lying = registry.pushManifestFor("test/size", "v1", Flavor.OCI, real,
                List.of(new Descriptor(MediaTypes.OCI_LAYER_GZIP, real.digest(), 3000), new Descriptor(MediaTypes.OCI_LAYER_GZIP, real.digest(), 5000)));
        Reference repo = ref(registry.host(), "test/size");
        assertThatThrownBy(() -> client.fetchBlob(repo, lying.layers().get(0), null, store, BlobProgress.NONE))
                .satisfies(e -> assertKind(e, BerthException.Kind.DATA_LOSS))
                .hasMessageContaining("more than the expected 3000 bytes");
        assertThatThrownBy(() -> client.fetchBlob(repo, lying.layers().get(1), null, store, BlobProgress.NONE))
                .satisfies(e -> assertKind(e, BerthException.Kind.DATA_LOSS))
                .hasMessageContaining("size mismatch: expected 5000 bytes, got 4000");
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void longerBodyThanDeclaredIsCutOff() throws IOException {
        proxy.extendBlobs.set(1);
        Descriptor d = image.layers().get(1);
        assertThatThrownBy(() -> client.fetchBlob(ref(proxy.host(), "test/app"), d, null, store, BlobProgress.NONE))
                .satisfies(e -> assertKind(e, BerthException.Kind.DATA_LOSS));
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void droppedConnectionAnd500AreRetriedAndResumedWithRange() throws IOException {
        proxy.log.clear();
        proxy.dropBlobs.set(1);
        proxy.failBlobs.set(1);
        List<String> retries = new CopyOnWriteArrayList<>();
        BlobProgress p = new BlobProgress() {
            @Override public void retrying(String reason, int attempt) { retries.add(attempt + ": " + reason); }
        };
        Descriptor d = image.layers().getFirst();
        client.fetchBlob(ref(proxy.host(), "test/app"), d, null, store, p);
        assertThat(store.readAll(d.digest())).hasSize((int) d.size());
        assertThat(Digest.sha256(store.readAll(d.digest()))).isEqualTo(d.digest());
        assertThat(retries).hasSize(2);
        assertThat(proxy.log).anySatisfy(l -> assertResumedFromPartial(l, d));
        assertThat(proxy.log).anySatisfy(l -> assertThat(l).endsWith("-> 500 (injected)"));
    }

    /** The proxy drops after sending half; what reached the client before the drop is at most that. */
    static void assertResumedFromPartial(String logLine, Descriptor d) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("range=bytes=(\\d+)- .*-> 206$").matcher(logLine);
        assertThat(m.find()).as(logLine).isTrue();
        assertThat(Long.parseLong(m.group(1))).isBetween(1L, d.size() / 2);
    }

    @Test
    void failedFetchKeepsPartialAndNextFetchResumesIt() throws IOException {
        proxy.log.clear();
        proxy.dropBlobs.set(1);
        proxy.failBlobs.set(0);
        Descriptor d = image.layers().getFirst();
        Reference repo = ref(proxy.host(), "test/app");
        try (RegistryClient once = new RegistryClient(RegistryHosts.defaults(), null, FAST.withMaxAttempts(1))) {
            assertThatThrownBy(() -> once.fetchBlob(repo, d, null, store, BlobProgress.NONE))
                    .satisfies(e -> assertKind(e, BerthException.Kind.UNAVAILABLE))
                    .hasMessageContaining("giving up after 1 attempts");
        }
        assertThat(store.info(d.digest())).isEmpty();
        client.fetchBlob(repo, d, null, store, BlobProgress.NONE);
        assertThat(Digest.sha256(store.readAll(d.digest()))).isEqualTo(d.digest());
        assertThat(proxy.log).filteredOn(l -> l.contains("/blobs/")).hasSize(2)
                .last().satisfies(l -> assertResumedFromPartial(l, d));
    }

    @Test
    void concurrentFetchesOfOneBlobDownloadItOnce() throws Exception {
        proxy.log.clear();
        Descriptor d = image.layers().getFirst();
        Reference repo = ref(proxy.host(), "test/app");
        try (var ex = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < 4; i++) fs.add(ex.submit(() -> { client.fetchBlob(repo, d, null, store, BlobProgress.NONE); return null; }));
            for (var f : fs) f.get();
        }
        assertThat(proxy.count("/blobs/" + d.digest())).isEqualTo(1);
        assertThat(Digest.sha256(store.readAll(d.digest()))).isEqualTo(d.digest());
    }

    @Test
    void serverIgnoringRangeRestartsFromZero() throws IOException {
        proxy.log.clear();
        proxy.ignoreRange = true;
        proxy.dropBlobs.set(1);
        try {
            Descriptor d = image.layers().getFirst();
            client.fetchBlob(ref(proxy.host(), "test/app"), d, null, store, BlobProgress.NONE);
            assertThat(Digest.sha256(store.readAll(d.digest()))).isEqualTo(d.digest());
            assertThat(proxy.log).filteredOn(l -> l.contains("/blobs/")).hasSize(2).allSatisfy(l -> assertThat(l).doesNotContain("206"));
        } finally {
            proxy.ignoreRange = false;
        }
    }

    @Test
    void stalledBodyIsAbandonedAndResumed() throws IOException {
        proxy.stallBlobs.set(1);
        Descriptor d = image.layers().getFirst();
        client.fetchBlob(ref(proxy.host(), "test/app"), d, null, store, BlobProgress.NONE);
        assertThat(Digest.sha256(store.readAll(d.digest()))).isEqualTo(d.digest());
    }

    @Test
    void persistent5xxGivesUpAsUnavailable() throws IOException {
        proxy.failBlobs.set(-1);
        proxy.failStatus = 503;
        try {
            assertThatThrownBy(() -> client.fetchBlob(ref(proxy.host(), "test/app"), image.layers().get(2), null, store, BlobProgress.NONE))
                    .satisfies(e -> assertKind(e, BerthException.Kind.UNAVAILABLE))
                    .hasMessageContaining("giving up after 4 attempts")
                    .hasMessageContaining("HTTP 503");
        } finally {
            proxy.failBlobs.set(0);
            proxy.failStatus = 500;
        }
        assertThat(store.list()).isEmpty();
    }

    @Test
    void unreachableRegistryIsUnavailable() throws IOException {
        int port = TestRegistry.freePort();
        assertThatThrownBy(() -> client.resolve(ref("127.0.0.1:" + port, "x/y:z"), null))
                .satisfies(e -> assertKind(e, BerthException.Kind.UNAVAILABLE))
                .hasMessageContaining("connection refused");
    }

    @Test
    void insecureHostsUsePlainHttpOthersHttps() {
        RegistryHosts h = new RegistryHosts(List.of("myreg:5000", "10.1.0.0/16"));
        assertThat(h.baseUri(registry.host()).getScheme()).isEqualTo("http");
        assertThat(h.baseUri("localhost:5000").toString()).isEqualTo("http://localhost:5000");
        assertThat(h.baseUri("myreg:5000").getScheme()).isEqualTo("http");
        assertThat(h.baseUri("10.1.2.3:443").getScheme()).isEqualTo("http");
        assertThat(h.baseUri("docker.io").toString()).isEqualTo("https://registry-1.docker.io");
        assertThat(h.baseUri("example.invalid").getScheme()).isEqualTo("https");
    }
}
