package io.berth.server.api;

import io.berth.api.BerthException;
import io.berth.api.image.ImageEngine;
import io.berth.api.image.ImageListOptions;
import io.berth.api.image.LoadReport;
import io.berth.api.image.PruneOptions;
import io.berth.api.image.PullEvent;
import io.berth.api.image.PullListener;
import io.berth.api.image.PullOptions;
import io.berth.api.image.PullReport;
import io.berth.api.image.RemoveOptions;
import io.berth.server.http.ResponseOutputStream;
import io.berth.server.wire.ImageJson;
import io.berth.server.wire.JsonMessage;
import io.berth.server.wire.RegistryAuthJson;
import io.berth.spec.image.Digest;
import io.berth.spec.image.Platform;
import io.berth.spec.image.Reference;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The image endpoints. Handlers stay thin: query parameters become API options, the engine is
 * called, the result is rendered by {@link ImageJson} or streamed as {@link JsonMessage}s.
 * Names in paths may contain slashes and colons, so routes match on the suffix, as moby's do.
 */
public final class ImageRoutes {
    private static final System.Logger LOG = System.getLogger("io.berth.server");
    private static final Set<String> LIST_FILTERS = Set.of("reference", "dangling", "label", "before", "since", "until");
    private static final Set<String> PRUNE_FILTERS = Set.of("dangling", "label", "label!", "until");
    private static final int SAVE_CHUNK = 64 << 10;

    private final ImageEngine images;

    public ImageRoutes(ImageEngine images) { this.images = images; }

    public void register(Router router) {
        router.add("POST", "/images/create", this::create)
              .add("GET", "/images/json", this::list)
              .add("POST", "/images/load", this::load)
              .add("GET", "/images/get", r -> save(r, r.queryAll("names")))
              .add("POST", "/images/prune", this::prune)
              .add("GET", "/images/{name:.+}/json", r -> r.json(200, ImageJson.inspect(images.inspect(r.path("name")), legacy(r))))
              .add("GET", "/images/{name:.+}/history", r -> r.json(200, ImageJson.history(images.history(r.path("name")))))
              .add("GET", "/images/{name:.+}/get", r -> save(r, List.of(r.path("name"))))
              .add("POST", "/images/{name:.+}/tag", this::tag)
              .add("POST", "/images/{name:.+}/push", r -> { throw HttpError.notImplemented("pushing images"); })
              .add("DELETE", "/images/{name:.+}", this::remove)
              // Berth extensions (no Docker equivalent): podman's `image mount` for looking inside an image.
              .add("POST", "/berth/v1/images/{name:.+}/mount", r -> r.json(200, Map.of("Mountpoint", images.mount(r.path("name")))))
              .add("POST", "/berth/v1/images/{name:.+}/unmount", r -> { images.unmount(r.path("name")); r.empty(204); });
    }

    // ---- pull

    private void create(ApiRequest r) {
        String fromSrc = r.query("fromSrc");
        if (fromSrc != null && !fromSrc.isEmpty())
            throw HttpError.notImplemented("importing a root filesystem (fromSrc=" + fromSrc + ")");
        String fromImage = r.query("fromImage");
        if (fromImage == null || fromImage.isEmpty()) throw BerthException.invalid("pulling an image: fromImage is required");
        String reference = pullReference(fromImage, r.query("tag", ""));
        PullOptions options = new PullOptions(reference, platform(r.query("platform")),
                RegistryAuthJson.decodeHeader(r.header("X-Registry-Auth")));
        JsonStream out = new JsonStream(r.exchange());
        PullProgress progress = new PullProgress(out);
        PullReport report;
        try {
            report = images.pull(options, progress);
        } catch (RuntimeException e) {
            if (!out.started()) throw e;
            streamError(out, "pulling " + reference, e);
            return;
        }
        progress.finish(report, reference);
        out.end();
    }

    /**
     * Combines fromImage and tag as dockerd does: a tag that parses as a digest pins the digest,
     * otherwise it replaces any tag; no tag at all means latest. Returns the familiar form
     * ({@code busybox:latest}) that Docker's status lines print.
     */
    static String pullReference(String fromImage, String tag) {
        try {
            Reference ref = Reference.parseName(fromImage);
            if (tag != null && !tag.isEmpty()) {
                if (Digest.isDigest(tag)) ref = new Reference(ref.domain(), ref.path(), null, Digest.parse(tag));
                else ref = Reference.parseName(ref.withoutTag().withDigest(null).familiarName() + ":" + tag).withDigest(ref.digest());
            }
            if (ref.tag() == null && ref.digest() == null) ref = ref.withTag(Reference.DEFAULT_TAG);
            return ref.familiarString();
        } catch (IllegalArgumentException e) {
            throw BerthException.invalid("%s", e.getMessage());
        }
    }

    static Platform platform(String s) {
        if (s == null || s.isBlank()) return null;
        try { return Platform.parse(s); }
        catch (IllegalArgumentException e) { throw BerthException.invalid("%s", e.getMessage()); }
    }

    /**
     * Forwards engine events as Docker's progress lines. Docker ends a pull with "Digest: …" and
     * "Status: …" lines; if the engine did not send them as {@link PullEvent.Message}s, they are
     * written here from the report, so the stream is complete either way and never doubled.
     */
    static final class PullProgress implements PullListener {
        private final JsonStream out;
        private volatile boolean sawDigest, sawStatus;

        PullProgress(JsonStream out) { this.out = out; }

        @Override public void onEvent(PullEvent e) {
            if (e instanceof PullEvent.Message m) {
                if (m.status().startsWith("Digest: ")) sawDigest = true;
                if (m.status().startsWith("Status: ")) sawStatus = true;
            }
            out.send(JsonMessage.of(e));
        }

        void finish(PullReport report, String reference) {
            if (!sawDigest && report.manifestDigest() != null) out.send(JsonMessage.status("Digest: " + report.manifestDigest()));
            if (!sawStatus) out.send(JsonMessage.status(report.newer()
                    ? "Status: Downloaded newer image for " + reference
                    : "Status: Image is up to date for " + reference));
        }
    }

    // ---- list, inspect, tag, remove, prune

    private void list(ApiRequest r) {
        Map<String, List<String>> f = r.filters();
        Params.checkKeys(f, LIST_FILTERS);
        for (String k : List.of("before", "since", "until"))
            if (f.containsKey(k)) throw BerthException.invalid("invalid filter '%s': not supported by Berth yet", k);
        List<String> refs = new ArrayList<>(f.getOrDefault("reference", List.of()));
        String legacy = r.query("filter"); // API < 1.28 sent the name pattern here
        if (legacy != null && !legacy.isEmpty()) refs.add(legacy);
        ImageListOptions options = new ImageListOptions(r.bool("all"), List.copyOf(refs),
                Params.boolFilter(f, "dangling"), List.copyOf(f.getOrDefault("label", List.of())));
        boolean legacyFields = legacy(r);
        r.json(200, images.list(options).stream().map(s -> ImageJson.summary(s, legacyFields)).toList());
    }

    private void tag(ApiRequest r) {
        String repo = r.query("repo", "");
        String tag = r.query("tag", "");
        if (repo.isEmpty()) throw BerthException.invalid("tagging %s: repo is required", r.path("name"));
        images.tag(r.path("name"), tag.isEmpty() ? repo : repo + ":" + tag);
        r.empty(201);
    }

    private void remove(ApiRequest r) {
        var removed = images.remove(r.path("name"), new RemoveOptions(r.bool("force"), r.bool("noprune")));
        r.json(200, ImageJson.removed(removed));
    }

    private void prune(ApiRequest r) {
        Map<String, List<String>> f = r.filters();
        Params.checkKeys(f, PRUNE_FILTERS);
        for (String k : List.of("label!", "until"))
            if (f.containsKey(k)) throw BerthException.invalid("invalid filter '%s': not supported by Berth yet", k);
        Boolean dangling = Params.boolFilter(f, "dangling");
        // Docker: dangling=false means "all unused images" (docker image prune -a).
        PruneOptions options = new PruneOptions(Boolean.FALSE.equals(dangling), List.copyOf(f.getOrDefault("label", List.of())));
        r.json(200, ImageJson.pruned(images.prune(options)));
    }

    // ---- load and save

    private void load(ApiRequest r) {
        boolean quiet = r.bool("quiet");
        JsonStream out = new JsonStream(r.exchange());
        Set<String> announced = java.util.Collections.synchronizedSet(new HashSet<>());
        PullListener listener = e -> {
            if (e instanceof PullEvent.Message m && m.status().startsWith("Loaded image")) {
                announced.add(m.status());
                out.send(JsonMessage.stream(m.status() + "\n"));
            } else if (!quiet) {
                out.send(JsonMessage.of(e));
            }
        };
        LoadReport report;
        try {
            report = images.load(r.body(), listener);
        } catch (RuntimeException e) {
            if (!out.started()) throw e;
            streamError(out, "loading images", e);
            return;
        }
        for (String tag : report.loadedTags()) {
            String line = "Loaded image: " + tag;
            if (announced.add(line)) out.send(JsonMessage.stream(line + "\n"));
        }
        for (String id : report.loadedIds()) {
            String line = "Loaded image ID: " + id;
            if (announced.add(line)) out.send(JsonMessage.stream(line + "\n"));
        }
        out.end();
    }

    private void save(ApiRequest r, List<String> names) throws IOException {
        if (names.isEmpty()) throw BerthException.invalid("saving images: no image named (use names=)");
        ResponseOutputStream out = new ResponseOutputStream(r.exchange(), 200, "application/x-tar", SAVE_CHUNK);
        try {
            images.save(names, out);
            out.close();
        } catch (RuntimeException | IOException e) {
            if (!out.started()) throw e;
            // The tar is half sent: dropping the connection is the only way to tell the client.
            LOG.log(System.Logger.Level.WARNING, "saving " + names + " failed mid-stream: " + e.getMessage());
            r.exchange().abort();
        }
    }

    private static void streamError(JsonStream out, String what, RuntimeException e) {
        String msg = e instanceof BerthException ? e.getMessage() : what + ": internal error: " + e;
        if (!(e instanceof BerthException)) LOG.log(System.Logger.Level.ERROR, what + " failed", e);
        out.send(JsonMessage.error(msg));
        out.end();
    }

    private static boolean legacy(ApiRequest r) { return r.version().lessThan(new ApiVersion(1, 44)); }
}
