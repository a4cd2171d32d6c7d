package io.berth.engine.container;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.api.BerthException;
import io.berth.api.container.ContainerSpec;
import io.berth.api.container.ContainerState.Status;
import io.berth.engine.store.Database;
import io.berth.spec.image.ImageConfig;

import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Container rows in the engine's SQLite database: one row per container, written on every state change. */
final class ContainerStore {
    static final String COMPONENT = "containers";
    /** Append-only schema steps (see {@link Database#migrate}). */
    static final List<String> MIGRATIONS = List.of("""
            CREATE TABLE containers(
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                spec TEXT NOT NULL,
                image_id TEXT NOT NULL,
                image_config TEXT NOT NULL,
                created TEXT NOT NULL,
                status TEXT NOT NULL,
                pid INTEGER NOT NULL,
                exit_code INTEGER NOT NULL,
                error TEXT,
                started_at TEXT,
                finished_at TEXT,
                restart_count INTEGER NOT NULL,
                manually_stopped INTEGER NOT NULL,
                snapshot_key TEXT NOT NULL)
            """);
    static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final Database db;

    ContainerStore(Database db) {
        this.db = db;
        db.migrate(COMPONENT, MIGRATIONS);
    }

    /**
     * Runs {@code work} in one transaction of the engine database: the container and snapshot
     * changes it makes (each their own transaction otherwise, now savepoints) commit together, with
     * one fsync instead of one each, and a crash keeps all of them or none.
     */
    <T, X extends Exception> T atomically(Database.Work<T, X> work) throws X {
        return db.transaction(work);
    }

    /** Inserts or replaces the row; CONFLICT when the name belongs to another container. */
    void put(ContainerRecord r) {
        db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO containers(id, name, spec, image_id, image_config, created, status, pid, exit_code, error,
                        started_at, finished_at, restart_count, manually_stopped, snapshot_key)
                    VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                    ON CONFLICT(id) DO UPDATE SET name=excluded.name, status=excluded.status, pid=excluded.pid,
                        exit_code=excluded.exit_code, error=excluded.error, started_at=excluded.started_at,
                        finished_at=excluded.finished_at, restart_count=excluded.restart_count,
                        manually_stopped=excluded.manually_stopped""")) {
                ps.setString(1, r.id());
                ps.setString(2, r.name());
                ps.setString(3, json(r.spec()));
                ps.setString(4, r.imageId());
                ps.setString(5, json(r.imageConfig()));
                ps.setString(6, r.created().toString());
                ps.setString(7, r.status().name());
                ps.setInt(8, r.pid());
                ps.setInt(9, r.exitCode());
                ps.setString(10, r.error());
                ps.setString(11, str(r.startedAt()));
                ps.setString(12, str(r.finishedAt()));
                ps.setInt(13, r.restartCount());
                ps.setInt(14, r.manuallyStopped() ? 1 : 0);
                ps.setString(15, r.snapshotKey());
                ps.executeUpdate();
            } catch (SQLException e) {
                if (Database.isConstraint(e)) throw BerthException.conflict("storing container %s: name /%s is taken", r.id(), r.name());
                throw e;
            }
            return null;
        });
    }

    /** Stores a changed create request ({@code update}): put keeps the spec of an existing row. */
    void putSpec(ContainerRecord r) {
        db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE containers SET spec = ? WHERE id = ?")) {
                ps.setString(1, json(r.spec()));
                ps.setString(2, r.id());
                ps.executeUpdate();
            }
            return null;
        });
    }

    void delete(String id) {
        db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM containers WHERE id = ?")) {
                ps.setString(1, id);
                ps.executeUpdate();
            }
            return null;
        });
    }

    List<ContainerRecord> all() {
        return db.read(c -> {
            List<ContainerRecord> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM containers ORDER BY created");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new ContainerRecord(rs.getString("id"), rs.getString("name"),
                            parse(rs.getString("spec"), ContainerSpec.class), rs.getString("image_id"),
                            parse(rs.getString("image_config"), ImageConfig.class), Instant.parse(rs.getString("created")),
                            Status.valueOf(rs.getString("status")), rs.getInt("pid"), rs.getInt("exit_code"), rs.getString("error"),
                            time(rs.getString("started_at")), time(rs.getString("finished_at")), rs.getInt("restart_count"),
                            rs.getInt("manually_stopped") != 0, rs.getString("snapshot_key")));
                }
            }
            return out;
        });
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw BerthException.internal("serialising container record: " + e.getMessage(), e);
        }
    }

    private static <T> T parse(String s, Class<T> type) {
        try {
            return JSON.readValue(s, type);
        } catch (IOException e) {
            throw BerthException.internal("reading container record: " + e.getMessage(), e);
        }
    }

    private static String str(Instant t) { return t == null ? null : t.toString(); }

    private static Instant time(String s) { return s == null ? null : Instant.parse(s); }
}
