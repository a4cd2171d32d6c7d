package io.berth.engine.image;

import io.berth.api.BerthException;
import io.berth.api.image.PullEvent;
import io.berth.api.image.PullListener;
import io.berth.api.image.PullOptions;
import io.berth.api.image.PullReport;
import io.berth.api.image.RegistryAuth;
import io.berth.engine.content.ContentStore;
import io.berth.engine.content.ContentWriter;
import io.berth.engine.registry.BlobProgress;
import io.berth.engine.registry.PlatformSelector;
import io.berth.engine.registry.Registry;
import io.berth.engine.registry.Resolved;
import io.berth.spec.image.ChainId;
import io.berth.spec.image.Descriptor;
import io.berth.spec.image.Digest;
import io.berth.spec.image.ImageConfig;
import io.berth.spec.image.Index;
import io.berth.spec.image.Manifest;
import io.berth.spec.image.MediaTypes;
import io.berth.spec.image.Platform;
import io.berth.spec.image.Reference;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * One pull: resolve the reference, choose the platform's manifest, fetch config and layers (layers
 * in parallel, bounded by {@code maxConcurrentDownloads}), unpack them in order as they arrive (so
 * unpacking layer 1 overlaps downloading layer 2), then record the image and its names in one
 * transaction. A failure at any step leaves no image record, and everything already verified stays
 * in the content store for the next attempt (garbage collection removes it if nobody pulls again).
 */
final class Puller {
    private final ImageService images;
    private final Registry registry;
    private final ContentStore content;
    private final LayerUnpacker unpacker;
    private final int maxConcurrentDownloads;

    Puller(ImageService images, Registry registry, ContentStore content, LayerUnpacker unpacker, int maxConcurrentDownloads) {
        this.images = images;
        this.registry = registry;
        this.content = content;
        this.unpacker = unpacker;
        this.maxConcurrentDownloads = Math.max(1, maxConcurrentDownloads);
    }

    PullReport pull(PullOptions options, PullListener listener) {
        Reference ref;
        try {
            ref = Reference.parse(options.reference());
        } catch (IllegalArgumentException e) {
            throw BerthException.invalid("%s", e.getMessage());
        }
        try {
            return doPull(ref, options.platform() == null ? Platform.LINUX_AMD64 : options.platform().normalize(), options.auth(), listener);
        } catch (BerthException e) {
            throw e.withContext("pulling " + ref.familiarString());
        } catch (InterruptedIOException e) {
            Thread.currentThread().interrupt();
            throw BerthException.unavailable("pulling %s: interrupted", ref.familiarString());
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.UNAVAILABLE, "pulling " + ref.familiarString() + ": " + e.getMessage(), e);
        }
    }

    private PullReport doPull(Reference ref, Platform platform, RegistryAuth auth, PullListener listener) throws IOException {
        listener.onEvent(new PullEvent.Resolving(ref.tag() != null ? ref.tag() : ref.digest().toString(), ref.path()));
        Resolved top = registry.resolve(ref, auth);
        List<String> leaseIds = new ArrayList<>();
        leaseIds.add(top.descriptor().digest().toString());
        try (Leases.Lease topLease = images.leases().acquire(leaseIds)) {
            store(top.descriptor().digest(), top.body());
            Descriptor manifestDesc = top.descriptor();
            byte[] manifestBytes = top.body();
            if (MediaTypes.isIndex(mediaTypeOf(top))) {
                Index index = ImageJson.read(top.body(), Index.class, "image index " + top.descriptor().digest());
                manifestDesc = PlatformSelector.select(index, platform);
                manifestBytes = registry.fetchManifest(ref, manifestDesc, auth);
                store(manifestDesc.digest(), manifestBytes);
            }
            Manifest manifest = ImageJson.read(manifestBytes, Manifest.class, "manifest " + manifestDesc.digest());
            String manifestType = manifest.mediaType() != null ? manifest.mediaType() : manifestDesc.mediaType();
            if (manifest.config() == null || manifest.layers() == null)
                throw BerthException.invalid("manifest %s has no config or layers (media type %s is not an image manifest)", manifestDesc.digest(), manifestType);

            List<String> ids = new ArrayList<>();
            ids.add(manifestDesc.digest().toString());
            ids.add(manifest.config().digest().toString());
            manifest.layers().forEach(l -> ids.add(l.digest().toString()));
            try (Leases.Lease lease = images.leases().acquire(ids)) {
                registry.fetchBlob(ref, manifest.config(), auth, content, BlobProgress.NONE);
                ImageConfig config = ImageJson.read(content.readAll(manifest.config().digest()), ImageConfig.class, "image config " + manifest.config().digest());
                List<Digest> diffIds = config.diffIds();
                if (diffIds.size() != manifest.layers().size())
                    throw BerthException.invalid("image config lists %d layers (diff_ids) but the manifest has %d", diffIds.size(), manifest.layers().size());
                List<Digest> chain = ChainId.chain(diffIds);
                List<String> chainIds = chain.stream().map(Digest::toString).toList();
                try (Leases.Lease chainLease = images.leases().acquire(chainIds)) {
                    // Docker's "up to date" means this name already pointed at this very image.
                    String name = (ref.digest() == null ? ref : ref.nameOnly().withDigest(ref.digest())).toString();
                    boolean existed = images.store().resolve(name).map(t -> t.imageId().equals(manifest.config().digest())).orElse(false)
                            && images.hasAllSnapshots(chainIds);
                    long size = fetchAndUnpack(ref, auth, manifest.layers(), diffIds, chainIds, listener);
                    Digest repoDigest = top.descriptor().digest();
                    images.record(manifest.config().digest(), manifestDesc.digest(), manifestType, size, config,
                            ref.digest() == null ? ref : null, ref.nameOnly().withDigest(repoDigest));
                    listener.onEvent(new PullEvent.Message("Digest: " + repoDigest));
                    String shown = ref.familiarString();
                    listener.onEvent(new PullEvent.Message(existed ? "Status: Image is up to date for " + shown
                            : "Status: Downloaded newer image for " + shown));
                    return new PullReport(ref.toString(), manifest.config().digest(), repoDigest, !existed);
                }
            }
        }
    }

    private static String mediaTypeOf(Resolved r) {
        if (r.descriptor().mediaType() != null) return r.descriptor().mediaType();
        return ImageJson.read(r.body(), Index.class, "manifest").mediaType();
    }

    private void store(Digest digest, byte[] body) throws IOException {
        if (content.info(digest).isPresent()) return;
        try (ContentWriter w = content.writer(digest.toString(), digest, body.length)) {
            if (w.offset() > 0) w.truncate();
            w.stream().write(body);
            w.commit();
        }
    }

    /** Downloads missing layers in parallel and unpacks them in order; returns the uncompressed size. */
    private long fetchAndUnpack(Reference ref, RegistryAuth auth, List<Descriptor> layers, List<Digest> diffIds,
                                List<String> chainIds, PullListener listener) throws IOException {
        int n = layers.size();
        boolean[] present = new boolean[n];
        for (int i = 0; i < n; i++) {
            present[i] = images.snapshots().stat(chainIds.get(i)).isPresent();
            String id = layers.get(i).digest().shortHex();
            listener.onEvent(present[i] ? new PullEvent.AlreadyExists(id) : new PullEvent.Waiting(id));
        }
        Semaphore slots = new Semaphore(maxConcurrentDownloads);
        List<Future<?>> downloads = new ArrayList<>(n);
        long size = 0;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                if (present[i]) { downloads.add(null); continue; }
                Descriptor layer = layers.get(i);
                downloads.add(pool.submit(() -> {
                    slots.acquire();
                    try {
                        String id = layer.digest().shortHex();
                        registry.fetchBlob(ref, layer, auth, content, new BlobProgress() {
                            @Override public void progress(long current, long total) {
                                listener.onEvent(new PullEvent.Downloading(id, current, total));
                            }

                            @Override public void retrying(String reason, int attempt) {
                                listener.onEvent(new PullEvent.Retrying(id, reason, attempt));
                            }
                        });
                        listener.onEvent(new PullEvent.Verifying(id));
                        listener.onEvent(new PullEvent.Downloaded(id));
                        return null;
                    } finally {
                        slots.release();
                    }
                }));
            }
            try {
                for (int i = 0; i < n; i++) {
                    Descriptor layer = layers.get(i);
                    String id = layer.digest().shortHex();
                    if (present[i]) {
                        size += images.layerSize(chainIds.get(i));
                        continue;
                    }
                    await(downloads.get(i));
                    long total = layer.size();
                    long applied = unpacker.unpack(layer, diffIds.get(i), chainIds.get(i), i == 0 ? null : chainIds.get(i - 1),
                            current -> listener.onEvent(new PullEvent.Extracting(id, current, total)));
                    images.rememberLayerSize(chainIds.get(i), applied);
                    size += applied;
                    listener.onEvent(new PullEvent.Complete(id));
                }
            } finally {
                downloads.forEach(f -> { if (f != null) f.cancel(true); });
            }
        }
        return size;
    }

    private static void await(Future<?> f) throws IOException {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof BerthException b) throw b;
            if (c instanceof IOException io) throw io;
            throw BerthException.internal("downloading layer: " + c, c);
        }
    }
}
