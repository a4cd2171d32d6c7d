package io.berth.engine.store;

import io.berth.api.BerthException;
import io.berth.spec.image.Digest;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * {@link ImageStore} in the engine's {@link Database} (tables {@code images} and {@code tags}).
 * Tags reference their image with ON DELETE CASCADE, so deleting an image takes its names with it
 * in the same statement, and a tag can never point at a missing image.
 *
 * <p>Instants are stored as ISO-8601 text: image configs carry dates such as 0001-01-01 (reproducible
 * builds) that do not fit epoch nanoseconds in a long, and text keeps full precision.
 */
public final class SqliteImageStore implements ImageStore {
    static final String COMPONENT = "images";

    /** Append-only: each entry takes the tables one version further (see {@link Database#migrate}). */
    private static final List<String> MIGRATIONS = List.of(
            """
            CREATE TABLE images(
                id TEXT PRIMARY KEY,
                hex TEXT NOT NULL,
                manifest_digest TEXT NOT NULL,
                manifest_media_type TEXT NOT NULL,
                size INTEGER NOT NULL,
                created TEXT,
                added_at TEXT NOT NULL);
            CREATE INDEX images_hex ON images(hex);
            CREATE TABLE tags(
                reference TEXT PRIMARY KEY,
                image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
                tagged_at TEXT NOT NULL);
            CREATE INDEX tags_image ON tags(image_id)
            """);

    private static final Pattern HEX = Pattern.compile("[0-9a-f]{1,128}");
    private static final String IMAGE_COLUMNS = "id, manifest_digest, manifest_media_type, size, created, added_at";

    private final Database db;

    /** Uses (and if needed creates or upgrades) the image tables in {@code db}; the caller keeps owning db. */
    public SqliteImageStore(Database db) {
        this.db = db;
        db.migrate(COMPONENT, MIGRATIONS);
    }

    /**
     * Stores the image. Storing an ID that exists updates its fields but keeps its tags and its
     * original {@code addedAt} (when this engine first stored it), so re-pulling does not reset it.
     */
    @Override
    public void put(ImageRecord image) {
        write("storing image " + image.id(), c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO images(" + IMAGE_COLUMNS + ", hex) VALUES(?, ?, ?, ?, ?, ?, ?) "
                            + "ON CONFLICT(id) DO UPDATE SET manifest_digest = excluded.manifest_digest, "
                            + "manifest_media_type = excluded.manifest_media_type, size = excluded.size, "
                            + "created = excluded.created")) {
                // Not INSERT OR REPLACE: REPLACE deletes the old row first, and the cascade would drop its tags.
                ps.setString(1, image.id().toString());
                ps.setString(2, image.manifestDigest().toString());
                ps.setString(3, image.manifestMediaType());
                ps.setLong(4, image.size());
                ps.setString(5, image.created() == null ? null : image.created().toString());
                ps.setString(6, (image.addedAt() == null ? Instant.now() : image.addedAt()).toString());
                ps.setString(7, image.id().hex());
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Optional<ImageRecord> get(Digest id) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + IMAGE_COLUMNS + " FROM images WHERE id = ?")) {
                ps.setString(1, id.toString());
                List<ImageRecord> found = images(ps);
                return found.isEmpty() ? Optional.<ImageRecord>empty() : Optional.of(found.getFirst());
            }
        });
    }

    /**
     * Images whose ID hex starts with {@code hexPrefix} (lower-case hex, 1 to 128 characters); any
     * other prefix, including the empty one, matches nothing rather than everything.
     */
    @Override
    public List<ImageRecord> findByIdPrefix(String hexPrefix) {
        // Checked first, so the LIKE pattern can hold no wildcard ('%', '_') of the caller's.
        if (hexPrefix == null || !HEX.matcher(hexPrefix).matches()) return List.of();
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + IMAGE_COLUMNS + " FROM images WHERE hex LIKE ? ORDER BY id")) {
                ps.setString(1, hexPrefix + "%");
                return images(ps);
            }
        });
    }

    @Override
    public List<ImageRecord> all() {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + IMAGE_COLUMNS + " FROM images ORDER BY added_at, id")) {
                return images(ps);
            }
        });
    }

    @Override
    public void delete(Digest id) {
        write("deleting image " + id, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM images WHERE id = ?")) {
                ps.setString(1, id.toString());
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** @throws BerthException NOT_FOUND when the image is not stored */
    @Override
    public void tag(TagRecord tag) {
        write("tagging image " + tag.imageId() + " as " + tag.reference(), c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO tags(reference, image_id, tagged_at) VALUES(?, ?, ?) "
                            + "ON CONFLICT(reference) DO UPDATE SET image_id = excluded.image_id, tagged_at = excluded.tagged_at")) {
                ps.setString(1, tag.reference());
                ps.setString(2, tag.imageId().toString());
                ps.setString(3, (tag.taggedAt() == null ? Instant.now() : tag.taggedAt()).toString());
                ps.executeUpdate();
            } catch (SQLException e) {
                if (Database.isConstraint(e)) {
                    throw BerthException.notFound("tagging image %s as %s: no such image", tag.imageId(), tag.reference());
                }
                throw e;
            }
            return null;
        });
    }

    @Override
    public Optional<TagRecord> resolve(String reference) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT reference, image_id, tagged_at FROM tags WHERE reference = ?")) {
                ps.setString(1, reference);
                List<TagRecord> found = tags(ps);
                return found.isEmpty() ? Optional.<TagRecord>empty() : Optional.of(found.getFirst());
            }
        });
    }

    @Override
    public boolean untag(String reference) {
        return write("untagging " + reference, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM tags WHERE reference = ?")) {
                ps.setString(1, reference);
                return ps.executeUpdate() > 0;
            }
        });
    }

    @Override
    public List<TagRecord> tagsOf(Digest imageId) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT reference, image_id, tagged_at FROM tags WHERE image_id = ? ORDER BY tagged_at, reference")) {
                ps.setString(1, imageId.toString());
                return tags(ps);
            }
        });
    }

    @Override
    public List<TagRecord> allTags() {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT reference, image_id, tagged_at FROM tags ORDER BY reference")) {
                return tags(ps);
            }
        });
    }

    /**
     * Runs {@code work} atomically: every call it makes on the store it is given commits together or
     * not at all (an exception rolls all of them back and is rethrown). Nested calls become
     * savepoints. Other threads' calls wait until it ends.
     */
    @Override
    public <T> T transaction(Function<ImageStore, T> work) {
        return db.transaction(c -> work.apply(this));
    }

    private <T> T write(String context, Database.Work<T, RuntimeException> work) {
        try {
            return db.transaction(work);
        } catch (BerthException e) {
            // SQL failures arrive translated but without saying what was being done.
            throw e.getMessage().startsWith(context) ? e : e.withContext(context);
        }
    }

    private static List<ImageRecord> images(PreparedStatement ps) throws SQLException {
        List<ImageRecord> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String created = rs.getString(5);
                out.add(new ImageRecord(Digest.parse(rs.getString(1)), Digest.parse(rs.getString(2)),
                        rs.getString(3), rs.getLong(4),
                        created == null ? null : Instant.parse(created), Instant.parse(rs.getString(6))));
            }
        }
        return out;
    }

    private static List<TagRecord> tags(PreparedStatement ps) throws SQLException {
        List<TagRecord> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new TagRecord(rs.getString(1), Digest.parse(rs.getString(2)), Instant.parse(rs.getString(3))));
            }
        }
        return out;
    }
}
