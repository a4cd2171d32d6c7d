package io.berth.api.image;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * Images: pull, list, inspect, tag, remove, load, save, prune, mount. Implemented natively by the
 * engine and remotely (over the Docker API) by the client, so code written against it runs
 * in-process or against berthd.
 *
 * <p>References are Docker references ({@code busybox}, {@code host:5000/a/b:tag@sha256:…}), image
 * IDs ({@code sha256:<64 hex>}) or unique ID prefixes. Every method throws
 * {@link io.berth.api.BerthException}: NOT_FOUND for an unknown image, INVALID_ARGUMENT for a
 * malformed reference, CONFLICT when removal would break a tag or container without force.
 *
 * <pre>{@code
 * PullReport r = images.pull(PullOptions.of("127.0.0.1:5000/app:1"), PullListener.NONE);
 * ImageDetails d = images.inspect(r.imageId().toString());
 * }</pre>
 */
public interface ImageEngine {
    /** Pulls an image (all its layers unpacked into snapshots) and tags it with the reference. */
    PullReport pull(PullOptions options, PullListener listener);

    List<ImageSummary> list(ImageListOptions options);

    ImageDetails inspect(String reference);

    List<HistoryEntry> history(String reference);

    /** Adds {@code target} (a reference, default tag latest) to the image {@code source} resolves to. */
    void tag(String source, String target);

    /** Untags and, when no tag is left (or with force), deletes; reports like Docker's rmi. */
    List<RemoveItem> remove(String reference, RemoveOptions options);

    /** Loads a docker-archive (docker save format; OCI layout in the same tar is also accepted). */
    LoadReport load(InputStream archive, PullListener listener);

    /** Writes a docker-archive of the named images (with OCI index.json) to {@code out}. */
    void save(List<String> references, OutputStream out);

    PruneReport prune(PruneOptions options);

    /** Mounts the image's root filesystem read-only and returns the mountpoint; counted per call. */
    String mount(String reference);

    void unmount(String reference);
}
