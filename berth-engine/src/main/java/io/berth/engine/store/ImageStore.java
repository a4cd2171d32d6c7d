package io.berth.engine.store;

import io.berth.spec.image.Digest;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Images and their names, in the embedded metadata database. Every method is atomic; several calls
 * that must commit together go through {@link #transaction}. After kill -9 the store holds exactly
 * what was committed before it.
 */
public interface ImageStore {
    void put(ImageRecord image);

    Optional<ImageRecord> get(Digest id);

    /** Images whose ID starts with the given hex prefix (no algorithm), for short-ID lookups. */
    List<ImageRecord> findByIdPrefix(String hexPrefix);

    List<ImageRecord> all();

    /** Deletes the image and all its tags. */
    void delete(Digest id);

    /** Points {@code reference} at {@code imageId}, replacing what it pointed at. */
    void tag(TagRecord tag);

    Optional<TagRecord> resolve(String reference);

    /** Removes the reference; returns whether it existed. */
    boolean untag(String reference);

    List<TagRecord> tagsOf(Digest imageId);

    List<TagRecord> allTags();

    <T> T transaction(Function<ImageStore, T> work);
}
