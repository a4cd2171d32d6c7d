package io.berth.engine.store;

import io.berth.api.BerthException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The engine's embedded metadata database: one SQLite file under the engine root
 * ({@value #FILE_NAME}), shared by every subsystem that keeps metadata (images and tags, snapshots,
 * ...). Each subsystem owns its own tables and brings them up to date with {@link #migrate}.
 *
 * <p>Durability is the point of this class: after kill -9 of the daemon, or a power cut, the file
 * holds exactly the transactions that {@link #transaction} returned from, never a half of one.
 * Hence WAL journalling with {@code synchronous=FULL} (see {@link #configure}) and one connection
 * whose transactions are serialised by a lock; writes are rare (a pull writes a few rows per layer),
 * so a single writer costs nothing measurable and rules out SQLITE_BUSY inside the process.
 *
 * <pre>{@code
 * try (Database db = Database.openIn(root)) {
 *     db.migrate("images", List.of("CREATE TABLE images(...); CREATE TABLE tags(...)"));
 *     int n = db.transaction(c -> { try (var st = c.prepareStatement("...")) { return st.executeUpdate(); } });
 * }
 * }</pre>
 *
 * Errors: every SQL failure becomes a {@link BerthException} (UNAVAILABLE for a full disk, a busy or
 * read-only file; INTERNAL otherwise) with a verb-first message.
 */
public final class Database implements AutoCloseable {
    public static final String FILE_NAME = "metadata.db";

    /** A unit of work on the connection. The connection must not escape the call. */
    @FunctionalInterface
    public interface Work<T, X extends Exception> {
        T run(Connection c) throws SQLException, X;
    }

    private static final System.Logger LOG = System.getLogger(Database.class.getName());
    /** How long a statement waits for a lock held by another process (e.g. a sqlite3 shell) before failing. */
    private static final int BUSY_TIMEOUT_MS = 10_000;

    private final Path file;
    private final Connection conn;
    /** Guards the connection; reentrant so a transaction can call code that opens its own (nested) one. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Nesting depth of transactions on the lock holder's thread: 0 = none, 1 = BEGIN, >1 = savepoints. */
    private int depth;
    private volatile boolean closed;

    private Database(Path file, Connection conn) {
        this.file = file;
        this.conn = conn;
    }

    /** Opens (creating if missing) {@code root/}{@value #FILE_NAME}. */
    public static Database openIn(Path root) {
        return open(root.resolve(FILE_NAME));
    }

    /** Opens (creating if missing) the database file, configures it and checks its integrity. */
    public static Database open(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.UNAVAILABLE,
                    "opening metadata database " + file + ": " + e.getMessage(), e);
        }
        Connection c = null;
        try {
            // Created through SQLiteConfig rather than DriverManager: no service-loader lookup, and
            // the pragmas that must precede any transaction are applied on this exact connection.
            SQLiteConfig cfg = new SQLiteConfig();
            cfg.setBusyTimeout(BUSY_TIMEOUT_MS);
            c = cfg.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
            configure(c, file);
            Database db = new Database(file, c);
            db.migrate("database", List.of(""));   // makes schema_version exist before anyone reads it
            return db;
        } catch (SQLException e) {
            if (c != null) try { c.close(); } catch (SQLException ignored) { /* reporting the first failure */ }
            throw translate("opening metadata database " + file, e);
        }
    }

    /**
     * Per-connection settings. Why each one:
     * <ul>
     * <li>{@code journal_mode=WAL}: a commit appends to the write-ahead log and never rewrites pages
     *     in place, so a process killed mid-commit leaves the last committed state readable, and
     *     readers never block the writer.</li>
     * <li>{@code synchronous=FULL}: in WAL mode NORMAL already survives kill -9 (the OS keeps the
     *     written log), but only FULL fsyncs the log on every commit, so a commit that returned also
     *     survives a power cut or kernel panic. Metadata writes are few (rows per pulled layer), so
     *     the extra fsync per commit is cheap next to losing an image that a client saw as pulled
     *     while its blobs and snapshots were already fsynced to disk.</li>
     * <li>{@code foreign_keys=ON}: SQLite leaves them off by default; tags must die with their image
     *     and a snapshot must not lose its parent.</li>
     * <li>busy timeout: only another process (an operator's sqlite3 shell) can hold the lock; wait
     *     for it instead of failing at once.</li>
     * </ul>
     */
    private static void configure(Connection c, Path file) throws SQLException {
        try (Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("PRAGMA journal_mode=WAL")) {
                String mode = rs.next() ? rs.getString(1) : "?";
                if (!"wal".equalsIgnoreCase(mode)) {
                    // WAL needs shared memory (mmap) on the file's filesystem; rollback journal with
                    // FULL sync is still crash-safe, only slower, so carry on and say so.
                    LOG.log(System.Logger.Level.WARNING, "metadata database {0}: WAL unavailable, journal_mode={1}", file, mode);
                }
            }
            st.execute("PRAGMA synchronous=FULL");
            st.execute("PRAGMA foreign_keys=ON");
            st.execute("PRAGMA busy_timeout=" + BUSY_TIMEOUT_MS);
            // A torn or corrupt file must fail loudly at open, not hand out half of a row later.
            try (ResultSet rs = st.executeQuery("PRAGMA quick_check")) {
                String res = rs.next() ? rs.getString(1) : "no result";
                if (!"ok".equals(res)) {
                    throw new SQLException("integrity check failed: " + res);
                }
            }
        }
    }

    public Path file() { return file; }

    /**
     * Runs {@code work} in a transaction and returns its result. The transaction commits when work
     * returns and rolls back when it throws (the exception is rethrown; SQLExceptions as
     * BerthException). Called inside another transaction on the same thread it becomes a
     * savepoint: its failure undoes only its own changes, its success becomes part of the outer
     * transaction (durable when the outermost one commits). Other threads wait.
     */
    public <T, X extends Exception> T transaction(Work<T, X> work) throws X {
        acquire();
        try {
            boolean outer = depth == 0;
            String sp = "sp" + depth;
            exec(outer ? "BEGIN IMMEDIATE" : "SAVEPOINT " + sp);
            depth++;
            T result;
            try {
                result = work.run(conn);
            } catch (Throwable t) {
                depth--;
                try {
                    if (outer) exec("ROLLBACK");
                    else { exec("ROLLBACK TO " + sp); exec("RELEASE " + sp); }
                } catch (SQLException | RuntimeException re) {
                    t.addSuppressed(re);
                }
                if (t instanceof SQLException se) throw translate("running metadata transaction", se);
                throw t;
            }
            depth--;
            try {
                exec(outer ? "COMMIT" : "RELEASE " + sp);
            } catch (SQLException e) {
                // A failed COMMIT (disk full, I/O error) may leave the transaction open; end it so
                // the connection stays usable, and report the original failure.
                if (outer) try { exec("ROLLBACK"); } catch (SQLException re) { e.addSuppressed(re); }
                throw translate("committing metadata transaction", e);
            }
            return result;
        } catch (SQLException e) {
            throw translate("running metadata transaction", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs read-only {@code work} under the connection lock without opening a transaction (inside
     * one it simply joins it). A single statement is consistent on its own in SQLite.
     */
    public <T, X extends Exception> T read(Work<T, X> work) throws X {
        acquire();
        try {
            return work.run(conn);
        } catch (SQLException e) {
            throw translate("reading metadata", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Brings the tables of {@code component} to the newest version. {@code steps.get(i)} is a SQL
     * script (statements separated by ';') taking the component from version i to i+1; steps that
     * already ran (recorded in {@code schema_version}) are skipped. All pending steps run in one
     * transaction, so a crash mid-migration leaves the old schema intact. Steps are append-only:
     * never edit a released one, add the next.
     *
     * @throws BerthException UNAVAILABLE when the file has a newer schema than this code knows
     *                        (a downgrade), rather than guessing at it
     */
    public void migrate(String component, List<String> steps) {
        transaction(c -> {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE IF NOT EXISTS schema_version("
                        + "component TEXT PRIMARY KEY, version INTEGER NOT NULL)");
            }
            int current = versionOf(c, component);
            if (current > steps.size()) {
                throw BerthException.unavailable(
                        "opening metadata database %s: %s tables are at schema version %d, newer than this Berth (%d); refusing to downgrade",
                        file, component, current, steps.size());
            }
            for (int v = current; v < steps.size(); v++) {
                try (Statement st = c.createStatement()) {
                    for (String sql : steps.get(v).split(";")) {
                        if (!sql.isBlank()) st.execute(sql);
                    }
                }
            }
            if (current < steps.size()) {
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO schema_version(component, version) VALUES(?, ?) "
                                + "ON CONFLICT(component) DO UPDATE SET version = excluded.version")) {
                    ps.setString(1, component);
                    ps.setInt(2, steps.size());
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    /** The schema version recorded for {@code component}, 0 if it has none. */
    public int schemaVersion(String component) {
        return read(c -> versionOf(c, component));
    }

    private static int versionOf(Connection c, String component) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT version FROM schema_version WHERE component = ?")) {
            ps.setString(1, component);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }

    @Override
    public void close() {
        if (closed) return;
        acquire();
        try {
            closed = true;
            conn.close();
        } catch (SQLException e) {
            LOG.log(System.Logger.Level.WARNING, "closing metadata database " + file, e);
        } finally {
            lock.unlock();
        }
    }

    private void acquire() {
        try {
            // Bounded so a stuck holder shows up as an error instead of a silent hang of the daemon.
            if (!lock.tryLock(60, TimeUnit.SECONDS)) {
                throw BerthException.unavailable("using metadata database %s: timed out waiting for the connection", file);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BerthException(BerthException.Kind.UNAVAILABLE, "using metadata database " + file + ": interrupted", e);
        }
        if (closed) {
            lock.unlock();
            throw BerthException.unavailable("using metadata database %s: it is closed", file);
        }
    }

    private void exec(String sql) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute(sql);
        }
    }

    /** Maps an SQL failure to the closed error vocabulary. */
    public static BerthException translate(String context, SQLException e) {
        BerthException.Kind kind = BerthException.Kind.INTERNAL;
        if (e instanceof SQLiteException se) {
            SQLiteErrorCode code = se.getResultCode();
            kind = switch (code == null ? SQLiteErrorCode.UNKNOWN_ERROR : code) {
                case SQLITE_FULL, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CANTOPEN ->
                        BerthException.Kind.UNAVAILABLE;
                default -> {
                    // Extended codes (SQLITE_IOERR_FSYNC, SQLITE_BUSY_SNAPSHOT, ...) share the base code's low byte.
                    int base = code == null ? -1 : code.code & 0xff;
                    yield base == 13 || base == 5 || base == 6 || base == 8 || base == 10 || base == 14
                            ? BerthException.Kind.UNAVAILABLE : BerthException.Kind.INTERNAL;
                }
            };
        }
        return new BerthException(kind, context + ": " + e.getMessage(), e);
    }

    /** True when the failure is a constraint violation (unique key, foreign key). */
    public static boolean isConstraint(SQLException e) {
        return e instanceof SQLiteException se && se.getResultCode() != null
                && (se.getResultCode().code & 0xff) == 19;   // SQLITE_CONSTRAINT and its extended codes
    }
}
