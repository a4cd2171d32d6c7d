package io.berth.engine.network;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.api.BerthException;
import io.berth.api.container.PortBinding;
import io.berth.engine.store.Database;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Networking rows in the engine's SQLite database:
 * <ul>
 * <li>{@code networks}: one row per network, the predefined ones included;</li>
 * <li>{@code network_endpoints}: which container joins which network, with its aliases and static
 *     address: configuration that outlives runs (created at container create and {@code connect});</li>
 * <li>{@code network_attachments}: what is set up now, one row per container and network with its
 *     address: the IP lease (unique per network) and the exact backend request, so teardown replays it
 *     even after a crash;</li>
 * <li>{@code network_sandboxes}: a running container's namespace and its resolved published ports.</li>
 * </ul>
 */
final class NetworkStore {
    static final String COMPONENT = "networks";
    static final List<String> MIGRATIONS = List.of("""
            CREATE TABLE networks(
                id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, driver TEXT NOT NULL, bridge TEXT, subnet TEXT, gateway TEXT,
                ip_range TEXT, internal INTEGER NOT NULL, attachable INTEGER NOT NULL, options TEXT NOT NULL, labels TEXT NOT NULL,
                created TEXT NOT NULL);
            CREATE TABLE network_endpoints(
                container_id TEXT NOT NULL, network_id TEXT NOT NULL REFERENCES networks(id) ON DELETE CASCADE, ord INTEGER NOT NULL,
                aliases TEXT NOT NULL, ipv4 TEXT, mac TEXT, PRIMARY KEY(container_id, network_id));
            CREATE TABLE network_attachments(
                container_id TEXT NOT NULL, network_id TEXT NOT NULL, ip TEXT NOT NULL, mac TEXT, ifname TEXT NOT NULL,
                request TEXT NOT NULL, PRIMARY KEY(container_id, network_id), UNIQUE(network_id, ip));
            CREATE TABLE network_sandboxes(
                container_id TEXT PRIMARY KEY, netns TEXT, ports TEXT NOT NULL);
            """);
    static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    record NetworkRecord(String id, String name, String driver, String bridge, String subnet, String gateway, String ipRange,
                         boolean internal, boolean attachable, Map<String, String> options, Map<String, String> labels, Instant created) {
        boolean isBridge() { return "bridge".equals(driver); }
    }

    record Endpoint(String containerId, String networkId, int ord, List<String> aliases, String ipv4, String mac) {
    }

    record Attachment(String containerId, String networkId, String ip, String mac, String ifname, NetworkBackend.Request request) {
    }

    record Sandbox(String containerId, String netns, Map<String, List<PortBinding>> ports) {
    }

    private final Database db;

    NetworkStore(Database db) {
        this.db = db;
        db.migrate(COMPONENT, MIGRATIONS);
    }

    // ---- networks

    void put(NetworkRecord n) {
        db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO networks(id, name, driver, bridge, subnet, gateway, ip_range, internal, attachable, options, labels, created)
                    VALUES(?,?,?,?,?,?,?,?,?,?,?,?)
                    ON CONFLICT(id) DO UPDATE SET bridge=excluded.bridge, subnet=excluded.subnet, gateway=excluded.gateway,
                        ip_range=excluded.ip_range, options=excluded.options""")) {
                ps.setString(1, n.id());
                ps.setString(2, n.name());
                ps.setString(3, n.driver());
                ps.setString(4, n.bridge());
                ps.setString(5, n.subnet());
                ps.setString(6, n.gateway());
                ps.setString(7, n.ipRange());
                ps.setInt(8, n.internal() ? 1 : 0);
                ps.setInt(9, n.attachable() ? 1 : 0);
                ps.setString(10, json(n.options()));
                ps.setString(11, json(n.labels()));
                ps.setString(12, n.created().toString());
                ps.executeUpdate();
            } catch (SQLException e) {
                if (Database.isConstraint(e)) throw BerthException.conflict("network with name %s already exists", n.name());
                throw e;
            }
            return null;
        });
    }

    List<NetworkRecord> networks() {
        return db.read(c -> {
            List<NetworkRecord> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM networks ORDER BY created"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new NetworkRecord(rs.getString("id"), rs.getString("name"), rs.getString("driver"), rs.getString("bridge"),
                            rs.getString("subnet"), rs.getString("gateway"), rs.getString("ip_range"), rs.getInt("internal") != 0,
                            rs.getInt("attachable") != 0, map(rs.getString("options")), map(rs.getString("labels")),
                            Instant.parse(rs.getString("created"))));
                }
            }
            return out;
        });
    }

    void deleteNetwork(String id) { update("DELETE FROM networks WHERE id=?", id); }

    // ---- endpoints

    void putEndpoint(Endpoint e) {
        db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO network_endpoints(container_id, network_id, ord, aliases, ipv4, mac) VALUES(?,?,?,?,?,?)")) {
                ps.setString(1, e.containerId());
                ps.setString(2, e.networkId());
                ps.setInt(3, e.ord());
                ps.setString(4, json(e.aliases()));
                ps.setString(5, e.ipv4());
                ps.setString(6, e.mac());
                ps.executeUpdate();
            } catch (SQLException x) {
                if (Database.isConstraint(x)) throw BerthException.conflict("endpoint for container %s already exists in network %s", e.containerId(), e.networkId());
                throw x;
            }
            return null;
        });
    }

    List<Endpoint> endpoints(String column, String value) {
        return db.read(c -> {
            List<Endpoint> out = new ArrayList<>();
            String where = column == null ? "" : " WHERE " + column + "=?";
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM network_endpoints" + where + " ORDER BY ord")) {
                if (column != null) ps.setString(1, value);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Endpoint(rs.getString("container_id"), rs.getString("network_id"), rs.getInt("ord"),
                                list(rs.getString("aliases")), rs.getString("ipv4"), rs.getString("mac")));
                    }
                }
            }
            return out;
        });
    }

    void deleteEndpoint(String containerId, String networkId) {
        update("DELETE FROM network_endpoints WHERE container_id=? AND network_id=?", containerId, networkId);
    }

    void deleteEndpoints(String containerId) { update("DELETE FROM network_endpoints WHERE container_id=?", containerId); }

    // ---- attachments (leases)

    /** Records the attachment; CONFLICT when its address is leased to another container. */
    void putAttachment(Attachment a) {
        db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO network_attachments(container_id, network_id, ip, mac, ifname, request) VALUES(?,?,?,?,?,?)")) {
                ps.setString(1, a.containerId());
                ps.setString(2, a.networkId());
                ps.setString(3, a.ip());
                ps.setString(4, a.mac());
                ps.setString(5, a.ifname());
                ps.setString(6, json(a.request()));
                ps.executeUpdate();
            } catch (SQLException x) {
                if (Database.isConstraint(x)) throw BerthException.conflict("Address already in use: %s on network %s", a.ip(), a.networkId());
                throw x;
            }
            return null;
        });
    }

    void setMac(String containerId, String networkId, String mac) {
        update("UPDATE network_attachments SET mac=? WHERE container_id=? AND network_id=?", mac, containerId, networkId);
    }

    List<Attachment> attachments(String column, String value) {
        return db.read(c -> {
            List<Attachment> out = new ArrayList<>();
            String where = column == null ? "" : " WHERE " + column + "=?";
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM network_attachments" + where + " ORDER BY ifname")) {
                if (column != null) ps.setString(1, value);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        NetworkBackend.Request req;
                        try {
                            req = JSON.readValue(rs.getString("request"), NetworkBackend.Request.class);
                        } catch (IOException e) {
                            throw new SQLException("decoding attachment request: " + e.getMessage(), e);
                        }
                        out.add(new Attachment(rs.getString("container_id"), rs.getString("network_id"), rs.getString("ip"),
                                rs.getString("mac"), rs.getString("ifname"), req));
                    }
                }
            }
            return out;
        });
    }

    /**
     * Hands every attachment of {@code from} to {@code to} in one transaction, with {@code sandbox} recorded
     * (or, when null, {@code from}'s sandbox deleted): a warm namespace claimed by a container, or a
     * removed container's namespace handed to the background teardown. The request keeps the backend's
     * container ID (teardown replays what setup saw); {@code name}, when given, replaces its container name.
     */
    void moveAttachments(String from, String to, String name, Sandbox sandbox) {
        List<Attachment> atts = attachments("container_id", from);
        db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE network_attachments SET container_id=?, request=? WHERE container_id=? AND network_id=?")) {
                for (Attachment a : atts) {
                    NetworkBackend.Request r = a.request();
                    if (name != null) r = new NetworkBackend.Request(r.containerId(), name, r.net(), r.ip(), r.aliases(), r.ifname(), r.mac(), r.ports());
                    ps.setString(1, to);
                    ps.setString(2, json(r));
                    ps.setString(3, from);
                    ps.setString(4, a.networkId());
                    ps.executeUpdate();
                }
            }
            if (sandbox != null) {
                try (PreparedStatement ps = c.prepareStatement("INSERT OR REPLACE INTO network_sandboxes(container_id, netns, ports) VALUES(?,?,?)")) {
                    ps.setString(1, sandbox.containerId());
                    ps.setString(2, sandbox.netns());
                    ps.setString(3, json(sandbox.ports()));
                    ps.executeUpdate();
                }
            } else {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM network_sandboxes WHERE container_id=?")) {
                    ps.setString(1, from);
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    void deleteAttachment(String containerId, String networkId) {
        update("DELETE FROM network_attachments WHERE container_id=? AND network_id=?", containerId, networkId);
    }

    // ---- sandboxes

    void putSandbox(Sandbox s) {
        update("INSERT OR REPLACE INTO network_sandboxes(container_id, netns, ports) VALUES(?,?,?)", s.containerId(), s.netns(), json(s.ports()));
    }

    List<Sandbox> sandboxes() {
        return db.read(c -> {
            List<Sandbox> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM network_sandboxes"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Map<String, List<PortBinding>> ports;
                    try {
                        ports = JSON.readValue(rs.getString("ports"), new TypeReference<>() {});
                    } catch (IOException e) {
                        throw new SQLException("decoding ports: " + e.getMessage(), e);
                    }
                    out.add(new Sandbox(rs.getString("container_id"), rs.getString("netns"), ports));
                }
            }
            return out;
        });
    }

    void deleteSandbox(String containerId) { update("DELETE FROM network_sandboxes WHERE container_id=?", containerId); }

    // ---- helpers

    private void update(String sql, Object... args) {
        db.transaction((Connection c) -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
                ps.executeUpdate();
            }
            return null;
        });
    }

    static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> map(String s) throws SQLException {
        try {
            return s == null ? Map.of() : JSON.readValue(s, new TypeReference<Map<String, String>>() {});
        } catch (IOException e) {
            throw new SQLException("decoding " + s + ": " + e.getMessage(), e);
        }
    }

    private static List<String> list(String s) throws SQLException {
        try {
            return s == null ? List.of() : JSON.readValue(s, new TypeReference<List<String>>() {});
        } catch (IOException e) {
            throw new SQLException("decoding " + s + ": " + e.getMessage(), e);
        }
    }
}
