package io.berth.engine.image;

import io.berth.api.BerthException;
import io.berth.api.image.HistoryEntry;
import io.berth.api.image.ImageDetails;
import io.berth.api.image.ImageEngine;
import io.berth.api.image.ImageListOptions;
import io.berth.api.image.ImageSummary;
import io.berth.api.image.LoadReport;
import io.berth.api.image.PruneOptions;
import io.berth.api.image.PruneReport;
import io.berth.api.image.PullListener;
import io.berth.api.image.PullOptions;
import io.berth.api.image.PullReport;
import io.berth.api.image.RemoveItem;
import io.berth.api.image.RemoveOptions;
import io.berth.engine.archive.LayerApplier;
import io.berth.engine.content.ContentStore;
import io.berth.engine.registry.Registry;
import io.berth.engine.snapshot.Snapshotter;
import io.berth.engine.store.ImageRecord;
import io.berth.engine.store.ImageStore;
import io.berth.engine.store.TagRecord;
import io.berth.spec.image.ChainId;
import io.berth.spec.image.Digest;
import io.berth.spec.image.ImageConfig;
import io.berth.spec.image.Reference;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The native {@link ImageEngine}: images are config blobs in the content store, their layers are
 * committed snapshots keyed by chain ID, and their names are rows in the metadata store.
 * Reference resolution follows Docker: a full ID, a unique ID prefix, {@code name[:tag]} or
 * {@code name@digest}.
 */
public final class ImageService implements ImageEngine {
    private final ContentStore content;
    private final Snapshotter snapshots;
    private final ImageStore store;
    private final Leases leases = new Leases();
    private final Puller puller;
    private final ArchiveLoader loader;
    private final ArchiveSaver saver;
    private final GarbageCollector gc;
    private final ImageMounts mounts;
    private final Map<Digest, ImageConfig> configCache = new ConcurrentHashMap<>();
    private final Map<String, Long> layerSizes = new ConcurrentHashMap<>();
    private final LayerApplier applier;
    private final Path tmp;
    private volatile Thread warmUp;

    public ImageService(ContentStore content, Registry registry, Snapshotter snapshots, LayerApplier applier,
                        ImageStore store, RootfsMounter mounter, Path stateDir, int maxConcurrentDownloads) {
        this.content = content;
        this.snapshots = snapshots;
        this.store = store;
        this.applier = applier;
        this.tmp = stateDir.resolve("tmp");
        LayerUnpacker unpacker = new LayerUnpacker(content, snapshots, applier);
        this.puller = new Puller(this, registry, content, unpacker, maxConcurrentDownloads);
        this.loader = new ArchiveLoader(this, content, unpacker, stateDir.resolve("tmp"));
        this.saver = new ArchiveSaver(this, content, stateDir.resolve("tmp"));
        this.gc = new GarbageCollector(this, content, snapshots);
        this.mounts = new ImageMounts(snapshots, mounter, stateDir.resolve("mounts"));
    }

    // ---- collaborators for the pipeline classes in this package ----

    Leases leases() { return leases; }
    ImageStore store() { return store; }
    Snapshotter snapshots() { return snapshots; }

    boolean hasAllSnapshots(List<String> chainIds) {
        return chainIds.stream().allMatch(c -> snapshots.stat(c).isPresent());
    }

    long layerSize(String chainId) {
        return layerSizes.computeIfAbsent(chainId, c -> {
            try { return snapshots.usage(c); } catch (IOException e) { return 0L; }
        });
    }

    void rememberLayerSize(String chainId, long size) { layerSizes.put(chainId, size); }

    /** Records a pulled or loaded image and its names in one transaction. */
    void record(Digest id, Digest manifestDigest, String manifestType, long size, ImageConfig config,
                Reference tag, Reference repoDigest) {
        Instant now = Instant.now();
        store.transaction(tx -> {
            if (tx.get(id).isEmpty()) tx.put(new ImageRecord(id, manifestDigest, manifestType, size, parseTime(config.created()), now));
            if (tag != null) tx.tag(new TagRecord(tag.toString(), id, now));
            if (repoDigest != null) tx.tag(new TagRecord(repoDigest.toString(), id, now));
            return null;
        });
        configCache.put(id, config);
    }

    ImageConfig config(Digest id) {
        return configCache.computeIfAbsent(id, d -> {
            try {
                return ImageJson.read(content.readAll(d), ImageConfig.class, "image config " + d);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    static Instant parseTime(String s) {
        if (s == null || s.isEmpty()) return null;
        try { return OffsetDateTime.parse(s).toInstant(); } catch (DateTimeParseException e) { return null; }
    }

    // ---- resolution ----

    /** Resolves what a user typed to an image record, as Docker does; NOT_FOUND with Docker's wording. */
    ImageRecord resolve(String reference) {
        if (reference == null || reference.isBlank()) throw BerthException.invalid("image reference is empty");
        String s = reference;
        if (s.startsWith("sha256:") && s.length() == 71) {
            try {
                Optional<ImageRecord> r = store.get(Digest.parse(s));
                if (r.isPresent()) return r.get();
            } catch (IllegalArgumentException ignored) { /* fall through to name lookup */ }
        }
        String hex = s.startsWith("sha256:") ? s.substring(7) : s;
        if (hex.matches("[a-f0-9]{1,64}")) {
            // A bare hex string is a name first when such a tag exists (docker does the same).
            Optional<ImageRecord> byName = lookupName(s);
            if (byName.isPresent()) return byName.get();
            List<ImageRecord> found = store.findByIdPrefix(hex);
            if (found.size() == 1) return found.getFirst();
            if (found.size() > 1) throw BerthException.invalid("image ID prefix %s is ambiguous: it matches %d images", s, found.size());
            throw noSuchImage(reference);
        }
        return lookupName(s).orElseThrow(() -> noSuchImage(reference));
    }

    private Optional<ImageRecord> lookupName(String s) {
        Reference ref;
        try { ref = Reference.parse(s); } catch (IllegalArgumentException e) { throw BerthException.invalid("%s", e.getMessage()); }
        Optional<TagRecord> t = Optional.empty();
        if (ref.digest() != null) t = store.resolve(ref.nameOnly().withDigest(ref.digest()).toString());
        if (t.isEmpty() && ref.tag() != null && ref.digest() == null) t = store.resolve(ref.toString());
        return t.flatMap(tag -> store.get(tag.imageId()));
    }

    static BerthException noSuchImage(String ref) {
        return BerthException.notFound("No such image: %s", ref);
    }

    // ---- ImageEngine ----

    @Override public PullReport pull(PullOptions options, PullListener listener) {
        PullReport r = puller.pull(options, listener == null ? PullListener.NONE : listener);
        events.publish("pull", r.reference(), Map.of("name", r.reference()));
        return r;
    }

    @Override public List<ImageSummary> list(ImageListOptions options) {
        ImageFilters filters = ImageFilters.of(options);
        Map<Digest, List<TagRecord>> tags = tagsByImage();
        List<ImageSummary> out = new ArrayList<>();
        for (ImageRecord r : store.all()) {
            List<TagRecord> own = tags.getOrDefault(r.id(), List.of());
            ImageSummary s = summary(r, own);
            if (filters.test(s, own)) out.add(s);
        }
        out.sort(Comparator.comparing((ImageSummary s) -> s.created() == null ? Instant.EPOCH : s.created()).reversed());
        return out;
    }

    private Map<Digest, List<TagRecord>> tagsByImage() {
        Map<Digest, List<TagRecord>> m = new LinkedHashMap<>();
        for (TagRecord t : store.allTags()) m.computeIfAbsent(t.imageId(), k -> new ArrayList<>()).add(t);
        return m;
    }

    private ImageSummary summary(ImageRecord r, List<TagRecord> tags) {
        ImageConfig cfg = config(r.id());
        Map<String, String> labels = cfg.config() == null || cfg.config().labels() == null ? Map.of() : cfg.config().labels();
        return new ImageSummary(r.id(), repoTags(tags), repoDigests(tags), created(r), r.size(), labels, 0);
    }

    private static Instant created(ImageRecord r) { return r.created() != null ? r.created() : r.addedAt(); }

    static List<String> repoTags(List<TagRecord> tags) {
        List<String> out = new ArrayList<>();
        for (TagRecord t : tags) {
            Reference r = Reference.parseName(t.reference());
            if (r.digest() == null) out.add(r.familiarString());
        }
        Collections.sort(out);
        return out;
    }

    static List<String> repoDigests(List<TagRecord> tags) {
        List<String> out = new ArrayList<>();
        for (TagRecord t : tags) {
            Reference r = Reference.parseName(t.reference());
            if (r.digest() != null) out.add(r.familiarString());
        }
        Collections.sort(out);
        return out;
    }

    @Override public ImageDetails inspect(String reference) {
        ImageRecord r = resolve(reference);
        List<TagRecord> tags = store.tagsOf(r.id());
        Instant lastTag = tags.stream().filter(t -> Reference.parseName(t.reference()).digest() == null)
                .map(TagRecord::taggedAt).max(Comparator.naturalOrder()).orElse(null);
        ImageConfig cfg = config(r.id());
        List<String> chain = ChainId.chain(cfg.diffIds()).stream().map(Digest::toString).toList();
        Map<String, String> driverData = new LinkedHashMap<>();
        if (!chain.isEmpty()) driverData.put("TopLayer", chain.getLast());
        return new ImageDetails(r.id(), repoTags(tags), repoDigests(tags), created(r), cfg, r.size(), r.manifestDigest(),
                "overlayfs", driverData, lastTag);
    }

    @Override public List<HistoryEntry> history(String reference) {
        ImageRecord r = resolve(reference);
        ImageConfig cfg = config(r.id());
        List<Digest> diffIds = cfg.diffIds();
        List<String> chain = ChainId.chain(diffIds).stream().map(Digest::toString).toList();
        List<ImageConfig.History> hist = cfg.history() == null ? List.of() : cfg.history();
        List<HistoryEntry> out = new ArrayList<>();
        int layer = 0;
        if (hist.isEmpty()) {
            for (String c : chain) out.add(new HistoryEntry("<missing>", created(r), "", List.of(), layerSize(c), ""));
        }
        for (ImageConfig.History h : hist) {
            long size = 0;
            if (!h.isEmptyLayer() && layer < chain.size()) size = layerSize(chain.get(layer++));
            out.add(new HistoryEntry("<missing>", parseTime(h.created()), h.createdBy() == null ? "" : h.createdBy(),
                    List.of(), size, h.comment() == null ? "" : h.comment()));
        }
        Collections.reverse(out);
        if (!out.isEmpty()) {
            HistoryEntry top = out.getFirst();
            out.set(0, new HistoryEntry(r.id().toString(), top.created(), top.createdBy(), repoTags(store.tagsOf(r.id())), top.size(), top.comment()));
        }
        return out;
    }

    @Override public void tag(String source, String target) {
        ImageRecord r = resolve(source);
        Reference t;
        try { t = Reference.parse(target); } catch (IllegalArgumentException e) { throw BerthException.invalid("%s", e.getMessage()); }
        if (t.digest() != null) throw BerthException.invalid("refusing to create a tag with a digest reference: %s", target);
        store.tag(new TagRecord(t.toString(), r.id(), Instant.now()));
        events.publish("tag", r.id().toString(), Map.of("name", t.familiarString()));
    }

    @Override public List<RemoveItem> remove(String reference, RemoveOptions options) {
        List<RemoveItem> out = new ArrayList<>();
        Digest deleted = store.transaction(tx -> {
            ImageRecord r = resolve(reference);
            List<TagRecord> tags = tx.tagsOf(r.id());
            boolean byName = !isIdReference(reference, r);
            if (byName) {
                Reference ref = Reference.parse(reference);
                String key = ref.digest() != null ? ref.nameOnly().withDigest(ref.digest()).toString() : ref.toString();
                if (tx.untag(key)) out.add(RemoveItem.untagged(Reference.parseName(key).familiarString()));
                List<TagRecord> left = tx.tagsOf(r.id());
                boolean tagsLeft = left.stream().anyMatch(t -> Reference.parseName(t.reference()).digest() == null);
                if (tagsLeft) return null;
                // No tag left: Docker drops the digest references too and deletes the image.
                for (TagRecord t : left) if (tx.untag(t.reference())) out.add(RemoveItem.untagged(Reference.parseName(t.reference()).familiarString()));
            } else {
                Set<String> repos = new LinkedHashSet<>();
                for (TagRecord t : tags) repos.add(Reference.parseName(t.reference()).name());
                if (repos.size() > 1 && !options.force())
                    throw BerthException.conflict("conflict: unable to delete %s (must be forced) - image is referenced in multiple repositories", r.id().shortHex());
                for (TagRecord t : tags) if (tx.untag(t.reference())) out.add(RemoveItem.untagged(Reference.parseName(t.reference()).familiarString()));
            }
            tx.delete(r.id());
            out.add(RemoveItem.deleted(r.id().toString()));
            return r.id();
        });
        if (deleted != null) {
            configCache.remove(deleted);
            gc.collect();
        }
        for (RemoveItem i : out)
            events.publish(i.untagged() != null ? "untag" : "delete", i.untagged() != null ? i.untagged() : i.deleted(),
                    Map.of("name", i.untagged() != null ? i.untagged() : i.deleted()));
        return out;
    }

    private static boolean isIdReference(String ref, ImageRecord r) {
        String hex = ref.startsWith("sha256:") ? ref.substring(7) : ref;
        return hex.matches("[a-f0-9]{1,64}") && r.id().hex().startsWith(hex);
    }

    @Override public LoadReport load(InputStream archive, PullListener listener) {
        LoadReport r = loader.load(archive, listener == null ? PullListener.NONE : listener);
        for (String t : r.loadedTags()) events.publish("load", t, Map.of("name", t));
        return r;
    }

    @Override public void save(List<String> references, OutputStream out) {
        saver.save(references, out);
        for (String ref : references) events.publish("save", ref, Map.of("name", ref));
    }

    @Override public PruneReport prune(PruneOptions options) {
        List<RemoveItem> deleted = new ArrayList<>();
        ImageFilters labels = ImageFilters.of(new ImageListOptions(false, List.of(), null, options.labels()));
        long reclaimed = 0;
        Map<Digest, List<TagRecord>> tags = tagsByImage();
        for (ImageRecord r : store.all()) {
            List<TagRecord> own = tags.getOrDefault(r.id(), List.of());
            boolean dangling = repoTags(own).isEmpty();
            if (!options.all() && !dangling) continue;
            if (!labels.test(summary(r, own), own)) continue;
            // Containers are not yet tracked; when they are, images in use are skipped here.
            store.transaction(tx -> {
                for (TagRecord t : tx.tagsOf(r.id())) if (tx.untag(t.reference())) deleted.add(RemoveItem.untagged(Reference.parseName(t.reference()).familiarString()));
                tx.delete(r.id());
                return null;
            });
            deleted.add(RemoveItem.deleted(r.id().toString()));
            configCache.remove(r.id());
        }
        if (!deleted.isEmpty()) reclaimed = gc.collect();
        return new PruneReport(deleted, reclaimed);
    }

    @Override public String mount(String reference) {
        ImageRecord r = resolve(reference);
        List<Digest> chain = ChainId.chain(config(r.id()).diffIds());
        try {
            return mounts.mount(r.id(), chain.isEmpty() ? null : chain.getLast().toString()).toString();
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.UNAVAILABLE, "mounting image " + reference + ": " + e.getMessage(), e);
        }
    }

    @Override public void unmount(String reference) {
        ImageRecord r = resolve(reference);
        try {
            mounts.unmount(r.id());
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.UNAVAILABLE, "unmounting image " + reference + ": " + e.getMessage(), e);
        }
    }

    /** Startup recovery: unfinished ingests and extractions are dropped, then unreferenced data collected. */
    public void recover() throws IOException {
        content.cleanIngests();
        snapshots.cleanup();
        mounts.recover();
        gc.collect();
    }

    /** See {@link WarmUp}: keeps JIT and native-binding costs out of the first pull. */
    public void warmUpInBackground() {
        warmUp = Thread.ofVirtual().name("berth-warm-up").start(new WarmUp(applier, tmp));
    }

    /** Stops the warm-up if it still runs (it writes under STATE/tmp), waiting a little for it. */
    public void stopWarmUp() {
        Thread t = warmUp;
        if (t == null) return;
        t.interrupt();
        try {
            t.join(java.time.Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Chain IDs every stored image needs, and the blobs (manifest, config, layers) it references. */
    Set<String> referencedSnapshots() {
        Set<String> out = new java.util.HashSet<>();
        for (ImageRecord r : store.all()) {
            ChainId.chain(config(r.id()).diffIds()).forEach(d -> out.add(d.toString()));
        }
        out.addAll(mounts.viewKeys());
        return out;
    }

    public int imageCount() { return store.all().size(); }

    /** What a container needs from its image: the ID, the top layer's chain ID (null for no layers), the config. */
    public record ResolvedImage(String imageId, String topChainId, ImageConfig config) {}

    /** Resolves {@code reference} as {@link #inspect} does; NOT_FOUND "No such image: X" when absent. */
    public ResolvedImage resolveForContainer(String reference) {
        ImageRecord r = resolve(reference);
        ImageConfig cfg = config(r.id());
        List<Digest> chain = ChainId.chain(cfg.diffIds());
        return new ResolvedImage(r.id().toString(), chain.isEmpty() ? null : chain.getLast().toString(), cfg);
    }

    // ---- events ----

    private volatile ImageEvents events = ImageEvents.NONE;

    /** Connects the engine's event bus (image events: pull, tag, untag, delete, load, save). */
    public void publishEventsTo(ImageEvents sink) { this.events = sink == null ? ImageEvents.NONE : sink; }
}
