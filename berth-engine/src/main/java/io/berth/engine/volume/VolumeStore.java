package io.berth.engine.volume;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.api.BerthException;
import io.berth.engine.store.Database;

import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The volume rows and the container references in the engine's SQLite database. */
final class VolumeStore {
    static final String COMPONENT = "volumes";
    /** Append-only schema steps (see {@link Database#migrate}). */
    static final List<String> MIGRATIONS = List.of("""
            CREATE TABLE volumes(
                name TEXT PRIMARY KEY,
                driver TEXT NOT NULL,
                created TEXT NOT NULL,
                labels TEXT NOT NULL,
                options TEXT NOT NULL,
                anonymous INTEGER NOT NULL);
            CREATE TABLE volume_refs(
                volume TEXT NOT NULL REFERENCES volumes(name),
                container TEXT NOT NULL,
                destination TEXT NOT NULL,
                read_only INTEGER NOT NULL,
                mode TEXT NOT NULL,
                no_copy INTEGER NOT NULL,
                populated INTEGER NOT NULL,
                PRIMARY KEY(container, destination));
            CREATE INDEX volume_refs_volume ON volume_refs(volume)
            """);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<TreeMap<String, String>> MAP = new TypeReference<>() {};

    record Row(String name, String driver, Instant created, Map<String, String> labels, Map<String, String> options, boolean anonymous) {}

    private final Database db;

    VolumeStore(Database db) {
        this.db = db;
        db.migrate(COMPONENT, MIGRATIONS);
    }

    /** Inserts the row unless one of that name exists; answers the row now stored. */
    Row putIfAbsent(Row r) {
        return db.transaction(c -> {
            Row old = get(r.name());
            if (old != null) return old;
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO volumes(name, driver, created, labels, options, anonymous) VALUES(?,?,?,?,?,?)")) {
                ps.setString(1, r.name());
                ps.setString(2, r.driver());
                ps.setString(3, r.created().toString());
                ps.setString(4, json(r.labels()));
                ps.setString(5, json(r.options()));
                ps.setInt(6, r.anonymous() ? 1 : 0);
                ps.executeUpdate();
            }
            return r;
        });
    }

    Row get(String name) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM volumes WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? row(rs) : null;
                }
            }
        });
    }

    List<Row> all() {
        return db.read(c -> {
            List<Row> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM volumes ORDER BY name"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(row(rs));
            }
            return out;
        });
    }

    /** Deletes the row if no container references it; false when one does. */
    boolean deleteUnused(String name) {
        return db.transaction(c -> {
            if (!users(name).isEmpty()) return false;
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM volumes WHERE name = ?")) {
                ps.setString(1, name);
                ps.executeUpdate();
            }
            return true;
        });
    }

    void addRef(VolumeRef r) {
        db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO volume_refs(volume, container, destination, read_only, mode, no_copy, populated)
                    VALUES(?,?,?,?,?,?,?)""")) {
                ps.setString(1, r.volume());
                ps.setString(2, r.container());
                ps.setString(3, r.destination());
                ps.setInt(4, r.readOnly() ? 1 : 0);
                ps.setString(5, r.mode());
                ps.setInt(6, r.noCopy() ? 1 : 0);
                ps.setInt(7, r.populated() ? 1 : 0);
                ps.executeUpdate();
            } catch (SQLException e) {
                if (Database.isConstraint(e)) throw BerthException.invalid("Duplicate mount point: %s", r.destination());
                throw e;
            }
            return null;
        });
    }

    void markPopulated(String container, String destination) {
        db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE volume_refs SET populated = 1 WHERE container = ? AND destination = ?")) {
                ps.setString(1, container);
                ps.setString(2, destination);
                ps.executeUpdate();
            }
            return null;
        });
    }

    List<VolumeRef> refsOf(String container) {
        return refs("SELECT * FROM volume_refs WHERE container = ? ORDER BY rowid", container);
    }

    List<String> users(String volume) {
        return refs("SELECT * FROM volume_refs WHERE volume = ? ORDER BY rowid", volume).stream().map(VolumeRef::container).distinct().toList();
    }

    /** Every referenced volume name (for the dangling filter without a query per volume). */
    java.util.Set<String> referenced() {
        return db.read(c -> {
            java.util.Set<String> out = new java.util.HashSet<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT volume FROM volume_refs"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1));
            }
            return out;
        });
    }

    /** Deletes the container's references and answers them. */
    List<VolumeRef> dropRefs(String container) {
        return db.transaction(c -> {
            List<VolumeRef> refs = refsOf(container);
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM volume_refs WHERE container = ?")) {
                ps.setString(1, container);
                ps.executeUpdate();
            }
            return refs;
        });
    }

    private List<VolumeRef> refs(String sql, String arg) {
        return db.read(c -> {
            List<VolumeRef> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, arg);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new VolumeRef(rs.getString("volume"), rs.getString("container"), rs.getString("destination"),
                                rs.getInt("read_only") != 0, rs.getString("mode"), rs.getInt("no_copy") != 0, rs.getInt("populated") != 0));
                    }
                }
            }
            return out;
        });
    }

    private static Row row(ResultSet rs) throws SQLException {
        return new Row(rs.getString("name"), rs.getString("driver"), Instant.parse(rs.getString("created")),
                parse(rs.getString("labels")), parse(rs.getString("options")), rs.getInt("anonymous") != 0);
    }

    private static String json(Map<String, String> m) {
        try {
            return JSON.writeValueAsString(m == null ? Map.of() : new TreeMap<>(m));
        } catch (IOException e) {
            throw BerthException.internal("serialising volume metadata: " + e.getMessage(), e);
        }
    }

    private static Map<String, String> parse(String s) {
        try {
            return JSON.readValue(s, MAP);
        } catch (IOException e) {
            throw BerthException.internal("reading volume metadata: " + e.getMessage(), e);
        }
    }
}
