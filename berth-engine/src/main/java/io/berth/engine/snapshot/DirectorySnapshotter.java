package io.berth.engine.snapshot;

import io.berth.api.BerthException;
import io.berth.engine.snapshot.SnapshotInfo.Kind;
import io.berth.engine.store.Database;
import io.berth.spec.runtime.Mount;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the overlay and copy snapshotters share: metadata rows in the engine {@link Database}, one
 * directory per snapshot named by its numeric row id ({@code DIR/<id>/fs}, plus {@code work} for
 * overlay), and the crash-safety rules.
 *
 * <p>Crash safety. A snapshot exists exactly when its row is committed:
 * <ul>
 * <li>create: the directory is built under a staging name ({@code tmp-*}), then, inside the
 *     transaction that inserts the row, renamed to {@code <id>} and the parent directory fsynced;
 *     a crash before the commit leaves a directory without a row;</li>
 * <li>remove: the row is deleted, then the directory; a crash in between leaves a directory
 *     without a row. Row ids are AUTOINCREMENT, so a committed id is never handed out again and a
 *     leftover directory can never be mistaken for a newer snapshot;</li>
 * <li>{@link #cleanup()} (run once at startup) deletes every directory that is not a live row's
 *     (unmounting anything a crash left mounted below it first), and every uncommitted snapshot
 *     (active or view) labelled {@value Snapshotters#TRANSIENT_LABEL}{@code =true}: those are
 *     owned by an operation of the daemon (a layer extraction, an image view), which did not
 *     survive the restart. Unlabelled active snapshots (container root filesystems) are kept.</li>
 * </ul>
 * Committing fsyncs the snapshot's filesystem (syncfs) before the row says "committed", so a
 * committed layer never refers to data lost in a power cut.
 *
 * <p>Snapshots of each driver live in their own directory and are told apart in the shared tables
 * by a {@code driver} column, so an engine root that moves from copy to overlay (or back) simply
 * does not see the other driver's snapshots and unpacks again.
 */
abstract sealed class DirectorySnapshotter implements Snapshotter permits OverlaySnapshotter, CopySnapshotter {
    static final String COMPONENT = "snapshots";
    /** Append-only schema steps (see {@link Database#migrate}). */
    static final List<String> MIGRATIONS = List.of(
            """
            CREATE TABLE snapshots(
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                driver TEXT NOT NULL,
                key TEXT NOT NULL,
                parent_id INTEGER REFERENCES snapshots(id),
                kind TEXT NOT NULL CHECK (kind IN ('ACTIVE', 'VIEW', 'COMMITTED')),
                created TEXT NOT NULL,
                UNIQUE (driver, key));
            CREATE INDEX snapshots_parent ON snapshots(parent_id);
            CREATE TABLE snapshot_labels(
                snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                value TEXT NOT NULL,
                PRIMARY KEY (snapshot_id, name))
            """);

    private static final System.Logger LOG = System.getLogger(DirectorySnapshotter.class.getName());
    private static final String STAGING_PREFIX = "tmp-";
    private static final String REMOVING_PREFIX = "rm-";

    record Row(long id, String key, Long parentId, Kind kind, Instant created) {}

    final String driver;
    final Path dir;
    final Database db;
    final Mounter mounter;
    /** Staging directories of creations in flight, which cleanup must not take for orphans. */
    private final Set<String> staging = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    DirectorySnapshotter(String driver, Path dir, Database db, Mounter mounter) {
        this.driver = driver;
        this.dir = dir.toAbsolutePath().normalize();
        this.db = db;
        this.mounter = mounter;
        // Paths end up in overlay's comma- and colon-separated option string; such a root cannot work.
        String s = this.dir.toString();
        if (s.contains(",") || s.contains(":")) {
            throw BerthException.invalid("opening %s snapshotter at %s: the path must not contain ',' or ':'", driver, s);
        }
        try {
            Files.createDirectories(this.dir);
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.UNAVAILABLE,
                    "opening " + driver + " snapshotter at " + this.dir + ": " + e.getMessage(), e);
        }
        db.migrate(COMPONENT, MIGRATIONS);
    }

    /** Fills a new snapshot's (staging) directory; {@code parents} are the ancestors' ids, nearest first. */
    abstract void populate(Path snapshotDir, Kind kind, List<Long> parents) throws IOException;

    /** The mounts for a snapshot; {@code chain} is its own id followed by its ancestors', nearest first. */
    abstract List<Mount> mountsFor(Kind kind, List<Long> chain);

    /** The directory holding snapshot {@code id}'s files. */
    final Path fs(long id) {
        return dir.resolve(Long.toString(id)).resolve("fs");
    }

    /** Where this snapshotter keeps its snapshot directories. */
    public Path directory() {
        return dir;
    }

    @Override
    public List<Mount> prepare(String key, String parent, Map<String, String> labels) throws IOException {
        return create(Kind.ACTIVE, key, parent, labels);
    }

    @Override
    public List<Mount> view(String key, String parent, Map<String, String> labels) throws IOException {
        return create(Kind.VIEW, key, parent, labels);
    }

    private List<Mount> create(Kind kind, String key, String parent, Map<String, String> labels) throws IOException {
        String ctx = (kind == Kind.ACTIVE ? "preparing snapshot " : "creating view snapshot ") + key;
        ensureOpen(ctx);
        requireKey(key, ctx);
        String parentKey = parent == null || parent.isEmpty() ? null : parent;
        List<Long> parents = db.transaction(c -> {
            requireFree(c, key, ctx);
            return parentKey == null ? List.<Long>of() : chain(c, requireCommitted(c, parentKey, ctx).id());
        });

        String name = STAGING_PREFIX + UUID.randomUUID();
        Path stage = dir.resolve(name);
        staging.add(name);
        long[] id = {-1};
        try {
            Files.createDirectory(stage);
            populate(stage, kind, parents);
            db.transaction(c -> {
                // Checked again: the first look was outside this transaction, and a copy can take long.
                requireFree(c, key, ctx);
                Long parentId = null;
                if (parentKey != null) {
                    parentId = requireCommitted(c, parentKey, ctx).id();
                    if (parentId != parents.getFirst().longValue()) {
                        throw BerthException.conflict("%s: parent %s was replaced while preparing", ctx, parentKey);
                    }
                }
                id[0] = insert(c, key, parentId, kind, labels == null ? Map.of() : labels);
                Path target = dir.resolve(Long.toString(id[0]));
                // Only a crash between rename and commit leaves a directory at an id that the next
                // insert reuses (rolled-back ids are), and no row can own it: it is garbage.
                Trees.deleteTree(target, mounter);
                Files.move(stage, target, StandardCopyOption.ATOMIC_MOVE);
                try {
                    Trees.fsyncDir(dir);
                } catch (IOException e) {
                    // Put it back while the lock is held: once released, the id is free again.
                    Files.move(target, stage, StandardCopyOption.ATOMIC_MOVE);
                    throw e;
                }
                return null;
            });
        } catch (IOException | RuntimeException | Error e) {
            // Only the staging directory is ours to delete. If the COMMIT itself failed, DIR/<id>
            // is left behind without a row; the next creation of that id or cleanup() removes it
            // under the database lock, which this thread no longer holds.
            try {
                Trees.deleteTree(stage, mounter);
            } catch (IOException | RuntimeException ce) {
                e.addSuppressed(ce);
            }
            if (e instanceof IOException io) throw new IOException(ctx + ": " + io.getMessage(), io);
            throw e;
        } finally {
            staging.remove(name);
        }
        List<Long> chain = new ArrayList<>();
        chain.add(id[0]);
        chain.addAll(parents);
        return mountsFor(kind, chain);
    }

    @Override
    public List<Mount> mounts(String key) {
        String ctx = "getting mounts of snapshot " + key;
        ensureOpen(ctx);
        return db.read(c -> {
            Row r = find(c, key).orElseThrow(() -> BerthException.notFound("%s: no such snapshot", ctx));
            return mountsFor(r.kind(), chain(c, r.id()));
        });
    }

    @Override
    public void commit(String name, String key) throws IOException {
        String ctx = "committing snapshot " + key + " as " + name;
        ensureOpen(ctx);
        requireKey(name, ctx);
        Row r = db.read(c -> requireActive(c, key, ctx));
        // The layer's data must be on disk before the row that calls it committed is: an image whose
        // layer lost its files in a power cut would be silently broken. syncfs flushes them all at once.
        Trees.syncFilesystem(fs(r.id()));
        db.transaction(c -> {
            Row again = requireActive(c, key, ctx);
            if (again.id() != r.id()) throw BerthException.conflict("%s: it was replaced meanwhile", ctx);
            if (find(c, name).isPresent()) throw BerthException.conflict("%s: a snapshot named %s exists", ctx, name);
            try (PreparedStatement ps = c.prepareStatement("UPDATE snapshots SET key = ?, kind = 'COMMITTED' WHERE id = ?")) {
                ps.setString(1, name);
                ps.setLong(2, r.id());
                ps.executeUpdate();
            }
            // Committed snapshots are durable: whatever made this one transient is done.
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM snapshot_labels WHERE snapshot_id = ? AND name = ?")) {
                ps.setLong(1, r.id());
                ps.setString(2, Snapshotters.TRANSIENT_LABEL);
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void remove(String key) {
        String ctx = "removing snapshot " + key;
        ensureOpen(ctx);
        long id = db.transaction(c -> {
            Row r = find(c, key).orElseThrow(() -> BerthException.notFound("%s: no such snapshot", ctx));
            List<String> children = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT key FROM snapshots WHERE parent_id = ? ORDER BY id LIMIT 3")) {
                ps.setLong(1, r.id());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) children.add(rs.getString(1));
                }
            }
            if (!children.isEmpty()) {
                throw BerthException.conflict("%s: it has child snapshots (%s)", ctx, String.join(", ", children));
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM snapshots WHERE id = ?")) {
                ps.setLong(1, r.id());
                ps.executeUpdate();
            }
            return r.id();
        });
        try {
            Trees.deleteTree(dir.resolve(Long.toString(id)), mounter);
        } catch (IOException e) {
            // The snapshot is gone (its row is); its files are garbage that cleanup() retries.
            LOG.log(System.Logger.Level.WARNING, ctx + ": leaving directory " + id + " to cleanup", e);
        }
    }

    @Override
    public Optional<SnapshotInfo> stat(String key) {
        ensureOpen("looking up snapshot " + key);
        return db.read(c -> {
            Optional<Row> r = find(c, key);
            return r.isEmpty() ? Optional.<SnapshotInfo>empty() : Optional.of(info(c, r.get()));
        });
    }

    @Override
    public List<SnapshotInfo> list() {
        ensureOpen("listing snapshots");
        return db.read(c -> {
            List<SnapshotInfo> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, key, parent_id, kind, created FROM snapshots WHERE driver = ? ORDER BY id")) {
                ps.setString(1, driver);
                for (Row r : rows(ps)) out.add(info(c, r));
            }
            return out;
        });
    }

    /** Apparent bytes of the regular files in the snapshot's own directory (copy: the full tree). */
    @Override
    public long usage(String key) throws IOException {
        String ctx = "computing usage of snapshot " + key;
        ensureOpen(ctx);
        Row r = db.read(c -> find(c, key).orElseThrow(() -> BerthException.notFound("%s: no such snapshot", ctx)));
        return Trees.usage(fs(r.id()));
    }

    @Override
    public Path writableDir(String key) {
        String ctx = "getting writable directory of snapshot " + key;
        ensureOpen(ctx);
        return fs(db.read(c -> requireActive(c, key, ctx)).id());
    }

    @Override
    public void cleanup() throws IOException {
        ensureOpen("cleaning up snapshots");
        List<Path> garbage = new ArrayList<>();
        int[] transients = {0};
        // Rows and directories are compared under the database lock, and orphans renamed away before
        // it is released, so a creation committing concurrently can never lose its directory.
        db.transaction(c -> {
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT s.id FROM snapshots s JOIN snapshot_labels l ON l.snapshot_id = s.id
                    WHERE s.driver = ? AND s.kind <> 'COMMITTED' AND l.name = ? AND l.value = 'true'
                      AND NOT EXISTS (SELECT 1 FROM snapshots ch WHERE ch.parent_id = s.id)""")) {
                ps.setString(1, driver);
                ps.setString(2, Snapshotters.TRANSIENT_LABEL);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) ids.add(rs.getLong(1));
                }
            }
            for (long id : ids) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM snapshots WHERE id = ?")) {
                    ps.setLong(1, id);
                    ps.executeUpdate();
                }
            }
            transients[0] = ids.size();
            Set<String> live = new HashSet<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM snapshots WHERE driver = ?")) {
                ps.setString(1, driver);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) live.add(Long.toString(rs.getLong(1)));
                }
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path e : entries) {
                    String n = e.getFileName().toString();
                    if (live.remove(n) || staging.contains(n)) continue;
                    if (n.startsWith(REMOVING_PREFIX)) { garbage.add(e); continue; }
                    mounter.unmountAllUnder(e);   // a mount point cannot be renamed
                    Path away = dir.resolve(REMOVING_PREFIX + UUID.randomUUID());
                    Files.move(e, away, StandardCopyOption.ATOMIC_MOVE);
                    garbage.add(away);
                }
            }
            for (String missing : live) {
                LOG.log(System.Logger.Level.WARNING, "{0} snapshots: snapshot {1} has no directory", driver, missing);
            }
            return null;
        });
        IOException failed = null;
        for (Path g : garbage) {
            try {
                Trees.deleteTree(g, mounter);
            } catch (IOException e) {
                if (failed == null) failed = new IOException("cleaning up snapshots in " + dir + ": " + e.getMessage(), e);
                else failed.addSuppressed(e);
            }
        }
        if (transients[0] + garbage.size() > 0) {
            LOG.log(System.Logger.Level.INFO, "{0} snapshots: cleanup removed {1} transient snapshot(s) and {2} orphaned director(ies)",
                    driver, transients[0], garbage.size() - transients[0]);
        }
        if (failed != null) throw failed;
    }

    @Override
    public void close() {
        closed = true;   // the Database belongs to the caller
    }

    // ---- rows

    private void ensureOpen(String ctx) {
        if (closed) throw BerthException.unavailable("%s: the %s snapshotter is closed", ctx, driver);
    }

    private static void requireKey(String key, String ctx) {
        if (key == null || key.isBlank()) throw BerthException.invalid("%s: the snapshot key is empty", ctx);
    }

    private void requireFree(Connection c, String key, String ctx) throws SQLException {
        if (find(c, key).isPresent()) throw BerthException.conflict("%s: a snapshot with that key exists", ctx);
    }

    private Row requireCommitted(Connection c, String parent, String ctx) throws SQLException {
        Row p = find(c, parent).orElseThrow(() -> BerthException.notFound("%s: no parent snapshot %s", ctx, parent));
        if (p.kind() != Kind.COMMITTED) {
            throw BerthException.conflict("%s: parent %s is not committed (it is %s)", ctx, parent, p.kind());
        }
        return p;
    }

    private Row requireActive(Connection c, String key, String ctx) throws SQLException {
        Row r = find(c, key).orElseThrow(() -> BerthException.notFound("%s: no such snapshot", ctx));
        if (r.kind() != Kind.ACTIVE) throw BerthException.conflict("%s: it is %s, not active", ctx, r.kind());
        return r;
    }

    Optional<Row> find(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id, key, parent_id, kind, created FROM snapshots WHERE driver = ? AND key = ?")) {
            ps.setString(1, driver);
            ps.setString(2, key);
            List<Row> r = rows(ps);
            return r.isEmpty() ? Optional.empty() : Optional.of(r.getFirst());
        }
    }

    /** {@code id} followed by its ancestors' ids, nearest first. */
    static List<Long> chain(Connection c, long id) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                WITH RECURSIVE chain(id, parent_id, depth) AS (
                    SELECT id, parent_id, 0 FROM snapshots WHERE id = ?
                    UNION ALL
                    SELECT s.id, s.parent_id, chain.depth + 1 FROM snapshots s JOIN chain ON s.id = chain.parent_id)
                SELECT id FROM chain ORDER BY depth""")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getLong(1));
            }
        }
        return out;
    }

    private long insert(Connection c, String key, Long parentId, Kind kind, Map<String, String> labels) throws SQLException {
        long id;
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO snapshots(driver, key, parent_id, kind, created) VALUES(?, ?, ?, ?, ?) RETURNING id")) {
            ps.setString(1, driver);
            ps.setString(2, key);
            if (parentId == null) ps.setNull(3, java.sql.Types.INTEGER);
            else ps.setLong(3, parentId);
            ps.setString(4, kind.name());
            ps.setString(5, Instant.now().toString());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO snapshot_labels(snapshot_id, name, value) VALUES(?, ?, ?)")) {
            for (Map.Entry<String, String> l : new TreeMap<>(labels).entrySet()) {
                ps.setLong(1, id);
                ps.setString(2, l.getKey());
                ps.setString(3, l.getValue());
                ps.executeUpdate();
            }
        }
        return id;
    }

    private static List<Row> rows(PreparedStatement ps) throws SQLException {
        List<Row> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long p = rs.getLong(3);
                out.add(new Row(rs.getLong(1), rs.getString(2), rs.wasNull() ? null : p,
                        Kind.valueOf(rs.getString(4)), Instant.parse(rs.getString(5))));
            }
        }
        return out;
    }

    private SnapshotInfo info(Connection c, Row r) throws SQLException {
        String parentKey = null;
        if (r.parentId() != null) {
            try (PreparedStatement ps = c.prepareStatement("SELECT key FROM snapshots WHERE id = ?")) {
                ps.setLong(1, r.parentId());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) parentKey = rs.getString(1);
                }
            }
        }
        Map<String, String> labels = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT name, value FROM snapshot_labels WHERE snapshot_id = ? ORDER BY name")) {
            ps.setLong(1, r.id());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) labels.put(rs.getString(1), rs.getString(2));
            }
        }
        return new SnapshotInfo(r.key(), parentKey, r.kind(), r.created(), Collections.unmodifiableMap(labels));
    }
}
