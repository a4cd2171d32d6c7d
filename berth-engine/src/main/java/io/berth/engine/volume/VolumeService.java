package io.berth.engine.volume;

import io.berth.api.BerthException;
import io.berth.api.volume.VolumeCreateSpec;
import io.berth.api.volume.VolumeDetails;
import io.berth.api.volume.VolumeEngine;
import io.berth.api.volume.VolumePruneReport;
import io.berth.engine.store.Database;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The native {@link VolumeEngine} with Docker's "local" driver.
 *
 * <p>Layout: {@code ROOT/volumes/NAME/_data} is what containers mount (the same layout as
 * {@code /var/lib/docker/volumes}); the rows (labels, options, created, anonymous) and the
 * container references live in SQLite. A volume is in use while a container (running or not)
 * references it; the container service adds references at create ({@link #addRef}) and drops them
 * at removal ({@link #release}).
 *
 * <p>Driver options {@code type}, {@code device}, {@code o} (e.g. {@code type=tmpfs device=tmpfs
 * o=size=64m}) make {@code _data} a mount of that file system, mounted when a container first
 * needs it ({@link #prepare}) and unmounted when the volume is removed.
 *
 * <p>Locking: one lock for create, remove and reference changes, so a volume being removed cannot
 * gain a user half-way.
 */
public final class VolumeService implements VolumeEngine {
    public static final String DRIVER = "local";
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]+");
    private static final Set<String> OPTION_KEYS = Set.of("type", "device", "o");
    private static final Set<String> FILTERS = Set.of("name", "label", "dangling", "driver");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final VolumeStore store;
    private final Path dir;
    private final Object lock = new Object();
    private volatile VolumeEvents events = VolumeEvents.NONE;

    /** @param root the engine root; volumes live in {@code root/volumes} */
    public VolumeService(Database db, Path root) {
        this.store = new VolumeStore(db);
        this.dir = root.resolve("volumes");
        try {
            Files.createDirectories(dir);
            // As Docker: others may traverse to a _data they know (bind sources) but not list the volumes.
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx-----x"));
            emptyTrash();
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.UNAVAILABLE, "creating volume directory " + dir + ": " + e.getMessage(), e);
        }
    }

    // ---- VolumeEngine -----------------------------------------------------------------------------

    @Override
    public VolumeDetails create(VolumeCreateSpec spec) {
        VolumeCreateSpec s = spec == null ? new VolumeCreateSpec(null, null, null, null) : spec;
        // No name: a generated one, as Docker; such a volume is still not "anonymous" (only the
        // ones containers create are, and only those go with rm -v or a default prune).
        boolean unnamed = s.name() == null || s.name().isEmpty();
        return create(unnamed ? newName() : s.name(), s.driver(), s.driverOpts(), s.labels(), false);
    }

    @Override
    public List<VolumeDetails> list(Map<String, List<String>> filters) {
        Map<String, List<String>> f = filters == null ? Map.of() : filters;
        for (String k : f.keySet()) if (!FILTERS.contains(k)) throw BerthException.invalid("invalid filter '%s'", k);
        Set<String> used = store.referenced();
        List<VolumeDetails> out = new ArrayList<>();
        for (VolumeStore.Row r : store.all()) {
            if (matches(r, f, used.contains(r.name()))) out.add(details(r, -1));
        }
        return out;
    }

    @Override
    public VolumeDetails inspect(String name) {
        VolumeStore.Row r = name == null ? null : store.get(name);
        if (r == null) throw BerthException.notFound("get %s: no such volume", name);
        return details(r, -1);
    }

    @Override
    public void remove(String name, boolean force) {
        synchronized (lock) {
            VolumeStore.Row r = name == null ? null : store.get(name);
            if (r == null) {
                if (force) return;
                throw BerthException.notFound("get %s: no such volume", name);
            }
            List<String> users = store.users(name);
            if (!users.isEmpty()) throw BerthException.conflict("remove %s: volume is in use - [%s]", name, String.join(", ", users));
            destroy(r);
        }
    }

    @Override
    public VolumePruneReport prune(Map<String, List<String>> filters) {
        Map<String, List<String>> f = filters == null ? Map.of() : filters;
        for (String k : f.keySet()) {
            if (!Set.of("label", "label!", "all").contains(k)) throw BerthException.invalid("invalid filter '%s'", k);
        }
        boolean all = f.getOrDefault("all", List.of()).stream().anyMatch(v -> v.equals("true") || v.equals("1"));
        List<String> deleted = new ArrayList<>();
        long reclaimed = 0;
        synchronized (lock) {
            Set<String> used = store.referenced();
            for (VolumeStore.Row r : store.all()) {
                if (used.contains(r.name()) || !all && !r.anonymous()) continue;
                if (!labelsMatch(r.labels(), f.getOrDefault("label", List.of()), true)) continue;
                if (!labelsMatch(r.labels(), f.getOrDefault("label!", List.of()), false)) continue;
                long size = size(data(r.name()));
                destroy(r);
                deleted.add(r.name());
                reclaimed += size;
            }
        }
        return new VolumePruneReport(deleted, reclaimed);
    }

    // ---- for the container service ------------------------------------------------------------------

    /** The named volume, created if missing ({@code -v NAME:/path} creates it as Docker does). */
    public VolumeDetails ensure(String name) {
        return create(name, null, null, null, false);
    }

    /** A new anonymous volume (image VOLUME, {@code -v /path}): removed with its container by rm -v / --rm. */
    public VolumeDetails createAnonymous() {
        return create(newName(), null, null, anonymousLabels(null), true);
    }

    /** Docker ≥ 23 marks anonymous volumes with this label (its prune keys on it); clients may filter on it. */
    public static final String ANONYMOUS_LABEL = "com.docker.volume.anonymous";

    private static Map<String, String> anonymousLabels(Map<String, String> given) {
        Map<String, String> m = new TreeMap<>(given == null ? Map.of() : given);
        m.put(ANONYMOUS_LABEL, "");
        return m;
    }

    /** The directory containers mount. */
    public Path data(String name) {
        return dir.resolve(name).resolve("_data");
    }

    /** Records that a container mounts a volume; NOT_FOUND when the volume was removed meanwhile. */
    public void addRef(VolumeRef ref) {
        synchronized (lock) {
            if (store.get(ref.volume()) == null) throw BerthException.notFound("get %s: no such volume", ref.volume());
            store.addRef(ref);
        }
    }

    public List<VolumeRef> refs(String container) {
        return store.refsOf(container);
    }

    public void markPopulated(String container, String destination) {
        store.markPopulated(container, destination);
    }

    /**
     * Makes the volume ready to mount: a volume with driver options gets its file system mounted on
     * {@code _data} (once; it stays mounted until the volume is removed).
     */
    public void prepare(String name) {
        VolumeStore.Row r = store.get(name);
        if (r == null) throw BerthException.notFound("get %s: no such volume", name);
        Path data = data(name);
        synchronized (lock) {
            try {
                Files.createDirectories(data);
                if (r.options().isEmpty() || isMountPoint(data)) return;
                List<String> cmd = new ArrayList<>(List.of("mount", "-t", r.options().get("type")));
                String o = r.options().get("o");
                if (o != null && !o.isEmpty()) cmd.addAll(List.of("-o", o));
                cmd.add(r.options().get("device"));
                cmd.add(data.toString());
                run(cmd, "mounting volume " + name);
            } catch (IOException e) {
                throw new BerthException(BerthException.Kind.UNAVAILABLE, "preparing volume " + name + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Drops a container's references (container removal); with {@code removeAnonymous} its anonymous
     * volumes that nothing else uses are removed too (rm -v, --rm). Answers the removed volumes.
     */
    public List<String> release(String container, boolean removeAnonymous) {
        List<String> removed = new ArrayList<>();
        synchronized (lock) {
            for (VolumeRef ref : store.dropRefs(container)) {
                if (!removeAnonymous) continue;
                VolumeStore.Row r = store.get(ref.volume());
                if (r == null || !r.anonymous() || !store.users(r.name()).isEmpty()) continue;
                destroy(r);
                removed.add(r.name());
            }
        }
        return removed;
    }

    /** Drops the references of containers not in {@code existing} (their removal was cut short by a crash). */
    public void releaseUnknown(Set<String> existing) {
        synchronized (lock) {
            Set<String> containers = new java.util.HashSet<>();
            for (VolumeStore.Row r : store.all()) containers.addAll(store.users(r.name()));
            for (String c : containers) if (!existing.contains(c)) store.dropRefs(c);
        }
    }

    /** Where create, destroy and mount events go (the engine's event bus). */
    public void publishEventsTo(VolumeEvents sink) { events = sink == null ? VolumeEvents.NONE : sink; }

    /** Reports Docker's "mount" event: a container is about to start with the volume mounted. */
    public void mounted(VolumeRef r) {
        events.publish("mount", r.volume(), Map.of("container", r.container(), "destination", r.destination(), "driver", DRIVER,
                "propagation", "", "read/write", Boolean.toString(!r.readOnly())));
    }

    // ---- internals ---------------------------------------------------------------------------------

    private VolumeDetails create(String name, String driver, Map<String, String> opts, Map<String, String> labels, boolean anonymous) {
        if (!NAME.matcher(name).matches()) {
            throw BerthException.invalid("create %s: \"%s\" includes invalid characters for a local volume name, only "
                    + "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path", name, name);
        }
        String d = driver == null || driver.isEmpty() ? DRIVER : driver;
        if (!d.equals(DRIVER)) throw BerthException.notFound("create %s: error looking up volume plugin %s: plugin \"%s\" not found", name, d, d);
        Map<String, String> o = opts == null ? Map.of() : new TreeMap<>(opts);
        for (String k : o.keySet()) if (!OPTION_KEYS.contains(k)) throw BerthException.invalid("create %s: invalid option key: \"%s\"", name, k);
        if (!o.isEmpty() && (!o.containsKey("type") || !o.containsKey("device")))
            throw BerthException.invalid("create %s: missing required option: \"%s\"", name, o.containsKey("type") ? "device" : "type");
        synchronized (lock) {
            VolumeStore.Row existing = store.get(name);
            if (existing != null) return details(existing, -1); // Docker's create is idempotent
            try {
                Files.createDirectories(data(name));
                Files.setPosixFilePermissions(dir.resolve(name), PosixFilePermissions.fromString("rwx-----x"));
            } catch (IOException e) {
                throw new BerthException(BerthException.Kind.UNAVAILABLE, "creating volume " + name + ": " + e.getMessage(), e);
            }
            VolumeStore.Row r = store.putIfAbsent(new VolumeStore.Row(name, d, Instant.now(), labels == null ? Map.of() : labels, o, anonymous));
            events.publish("create", name, Map.of("driver", d));
            return details(r, -1);
        }
    }

    /**
     * Removes a volume crash-safely: its directory is first renamed into {@value #TRASH}… (atomic),
     * then the row deleted, then the trash deleted. A crash before the row goes leaves a volume that
     * was being removed with empty data; after it, trash that the next start deletes
     * ({@link #emptyTrash}). Never a row pointing at half-deleted data, never a directory nobody owns.
     */
    private void destroy(VolumeStore.Row r) {
        if (!store.users(r.name()).isEmpty()) throw BerthException.conflict("remove %s: volume is in use", r.name());
        Path vdir = dir.resolve(r.name());
        Path trash = dir.resolve(TRASH + r.name() + "-" + System.nanoTime());
        try {
            if (isMountPoint(data(r.name()))) run(List.of("umount", data(r.name()).toString()), "unmounting volume " + r.name());
            if (Files.exists(vdir, LinkOption.NOFOLLOW_LINKS)) Files.move(vdir, trash, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.UNAVAILABLE, "remove " + r.name() + ": " + e.getMessage(), e);
        }
        if (!store.deleteUnused(r.name())) throw BerthException.conflict("remove %s: volume is in use", r.name());
        events.publish("destroy", r.name(), Map.of("driver", r.driver()));
        try {
            deleteTree(trash);
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.UNAVAILABLE, "remove " + r.name() + ": deleting " + trash + ": " + e.getMessage(), e);
        }
    }

    private static final String TRASH = ".trash-";

    /** Deletes what removals cut short by a crash left behind. */
    private void emptyTrash() throws IOException {
        try (var s = Files.list(dir)) {
            for (Path p : s.filter(x -> x.getFileName().toString().startsWith(TRASH)).toList()) {
                if (isMountPoint(p.resolve("_data"))) run(List.of("umount", p.resolve("_data").toString()), "unmounting " + p);
                deleteTree(p);
            }
        }
    }

    private VolumeDetails details(VolumeStore.Row r, long size) {
        return new VolumeDetails(r.name(), r.driver(), data(r.name()).toString(), r.created(), r.labels(), r.options(), "local",
                r.anonymous(), -1, size);
    }

    private boolean matches(VolumeStore.Row r, Map<String, List<String>> f, boolean used) {
        for (Map.Entry<String, List<String>> e : f.entrySet()) {
            List<String> vs = e.getValue() == null ? List.of() : e.getValue();
            if (vs.isEmpty()) continue;
            boolean ok = switch (e.getKey()) {
                case "name" -> vs.stream().anyMatch(v -> r.name().contains(v) || Pattern.compile(v).matcher(r.name()).find());
                case "driver" -> vs.contains(r.driver());
                case "dangling" -> vs.stream().anyMatch(v -> switch (v) {
                    case "true", "1" -> !used;
                    case "false", "0" -> used;
                    default -> throw BerthException.invalid("invalid filter 'dangling=%s'", v);
                });
                case "label" -> labelsMatch(r.labels(), vs, true);
                default -> true;
            };
            if (!ok) return false;
        }
        return true;
    }

    /** Every entry ("k" or "k=v") must hold when {@code want}; none may hold otherwise (label!). */
    private static boolean labelsMatch(Map<String, String> labels, List<String> filters, boolean want) {
        for (String v : filters) {
            int eq = v.indexOf('=');
            boolean has = eq < 0 ? labels.containsKey(v) : v.substring(eq + 1).equals(labels.get(v.substring(0, eq)));
            if (has != want) return false;
        }
        return true;
    }

    private static String newName() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static long size(Path p) {
        long[] n = {0};
        try {
            if (!Files.exists(p)) return 0;
            Files.walkFileTree(p, new SimpleFileVisitor<>() {
                @Override public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
                    if (a.isRegularFile()) n[0] += a.size();
                    return FileVisitResult.CONTINUE;
                }
                @Override public FileVisitResult visitFileFailed(Path f, IOException e) { return FileVisitResult.CONTINUE; }
            });
        } catch (IOException e) {
            return n[0];
        }
        return n[0];
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                Files.delete(f);
                return FileVisitResult.CONTINUE;
            }
            @Override public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) throw e;
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** True when {@code p} is a mount point (its device differs from its parent's, or /proc/self/mountinfo lists it). */
    static boolean isMountPoint(Path p) throws IOException {
        if (!Files.isDirectory(p)) return false;
        String abs = p.toAbsolutePath().normalize().toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            if (f.length > 4 && f[4].replace("\\040", " ").equals(abs)) return true;
        }
        return false;
    }

    private static void run(List<String> cmd, String what) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(what + ": " + cmd.getFirst() + " timed out");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(what + ": interrupted");
        }
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (p.exitValue() != 0) throw new IOException(what + ": " + String.join(" ", cmd) + ": " + out);
    }
}
