package io.berth.engine.container;

import io.berth.api.BerthException;
import io.berth.api.container.ContainerDetails;
import io.berth.api.container.ContainerSpec;
import io.berth.api.container.ContainerSummary;
import io.berth.api.container.HostSpec;
import io.berth.api.container.MountPoint;
import io.berth.api.volume.VolumeDetails;
import io.berth.engine.oci.ContainerConfig.MountRequest;
import io.berth.engine.sys.ErrnoException;
import io.berth.engine.sys.Fd;
import io.berth.engine.sys.Syscalls;
import io.berth.engine.volume.VolumeRef;
import io.berth.engine.volume.VolumeService;
import io.berth.spec.image.ImageConfig;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static io.berth.engine.sys.Syscalls.*;

/**
 * A container's volumes, kept out of {@link ContainerService}: which volumes a create request
 * names ({@code -v NAME:/path[:opts]}, {@code --mount type=volume}, {@code -v /path} /
 * Config.Volumes and the image's VOLUME entries as anonymous volumes), the references that make
 * them "in use", Docker's copy-up of the image's content into an empty volume at the first start,
 * the bind mounts for the runtime spec, inspect's and ps's {@code Mounts}, and the release at
 * container removal (anonymous ones removed with {@code rm -v} / {@code --rm}).
 *
 * <p>The volume service is wired when the container service opens, before it re-adopts its
 * containers (restart policies start them with their volumes); starts and creates wait for the
 * wiring rather than ever run without their volumes. Wired with null, named and anonymous volumes
 * are refused and the image's VOLUME entries stay plain directories of the root file system.
 */
final class ContainerVolumes {
    private static final long IN_ROOT = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    private static final System.Logger LOG = System.getLogger(ContainerVolumes.class.getName());

    private final java.util.concurrent.CompletableFuture<VolumeService> wired = new java.util.concurrent.CompletableFuture<>();

    /** Connects the volume service (null: an engine without volumes). */
    void wire(VolumeService v) {
        wired.complete(v);
    }

    /** The service for starts and creates, once wired. */
    VolumeService service() {
        try {
            return wired.get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            throw BerthException.unavailable("the volume service is not connected to the container service");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BerthException.unavailable("waiting for the volume service: interrupted");
        }
    }

    /** The service if wired, else null (listing and removal during re-adoption; orphaned references are dropped at wiring). */
    private VolumeService ifWired() {
        return wired.getNow(null);
    }

    /** A named volume in a bind string: the source has no slash (Docker's rule). */
    static boolean isVolumeBind(String bind) {
        String[] p = bind.split(":");
        return p.length >= 2 && !p[0].startsWith("/") && !p[0].isEmpty();
    }

    /**
     * At create: creates the named volumes that are missing and the anonymous ones, and records the
     * container's references. On failure the references recorded so far (and the anonymous volumes)
     * are released.
     */
    void plan(String id, ContainerSpec spec, ImageConfig image) {
        HostSpec h = spec.host() == null ? HostSpec.DEFAULT : spec.host();
        Set<String> taken = new LinkedHashSet<>();
        List<VolumeRef> wanted = new ArrayList<>();
        List<String> anonymous = new ArrayList<>();
        if (h.binds() != null) {
            for (String b : h.binds()) {
                String[] p = b.split(":");
                if (p.length < 2) continue;
                taken.add(clean(p[1]));
                if (!isVolumeBind(b)) continue;
                String mode = p.length >= 3 ? p[2] : "z";
                List<String> opts = List.of(mode.split(","));
                wanted.add(new VolumeRef(p[0], id, clean(p[1]), opts.contains("ro"), mode, opts.contains("nocopy"), false));
            }
        }
        if (h.mounts() != null) {
            for (HostSpec.MountSpec m : h.mounts()) {
                if (m.target() != null) taken.add(clean(m.target()));
                if (!"volume".equals(m.type())) continue;
                if (m.target() == null || m.target().isEmpty()) throw BerthException.invalid("invalid mount config for type \"volume\": field Target must not be empty");
                String name = m.source() == null || m.source().isEmpty() ? null : m.source();
                if (name == null) anonymous.add(clean(m.target()) + (m.readOnly() ? ":ro" : ""));
                else wanted.add(new VolumeRef(name, id, clean(m.target()), m.readOnly(), "z", m.noCopy(), false));
            }
        }
        if (h.tmpfs() != null) for (String d : h.tmpfs().keySet()) taken.add(clean(d));
        List<String> anon = new ArrayList<>();
        for (String a : anonymous) anon.add(a);
        for (String v : spec.volumes()) if (!taken.contains(clean(v))) anon.add(clean(v));
        ImageConfig.Config ic = image == null ? null : image.config();
        if (ic != null && ic.volumes() != null) for (String v : ic.volumes().keySet()) if (!taken.contains(clean(v))) anon.add(clean(v));
        if (wanted.isEmpty() && anon.isEmpty()) return;
        VolumeService volumes = service();
        if (volumes == null) {
            if (!wanted.isEmpty()) throw BerthException.invalid("named volumes are not available in this engine: %s", wanted.getFirst().volume());
            if (!spec.volumes().isEmpty()) throw BerthException.invalid("anonymous volumes are not available in this engine: %s", spec.volumes().getFirst());
            return; // image VOLUMEs stay directories of the root file system
        }
        try {
            Set<String> seen = new LinkedHashSet<>();
            for (VolumeRef r : wanted) {
                if (!seen.add(r.destination())) throw BerthException.invalid("Duplicate mount point: %s", r.destination());
                volumes.ensure(r.volume());
                volumes.addRef(r);
            }
            for (String a : anon) {
                boolean ro = a.endsWith(":ro");
                String dest = ro ? a.substring(0, a.length() - 3) : a;
                if (!seen.add(dest)) continue; // an image VOLUME also given with -v /path: one volume
                VolumeDetails v = volumes.createAnonymous();
                volumes.addRef(new VolumeRef(v.name(), id, dest, ro, "", false, false));
            }
        } catch (RuntimeException e) {
            release(id, true);
            throw e;
        }
    }

    /** The bind mounts of the container's volumes, after {@code others} (its plain binds). */
    List<MountRequest> mounts(String id, List<MountRequest> others) {
        VolumeService volumes = service();
        if (volumes == null) return others;
        List<MountRequest> out = new ArrayList<>(others);
        for (VolumeRef r : volumes.refs(id)) out.add(MountRequest.volume(volumes.data(r.volume()).toString(), r.destination(), r.readOnly()));
        return out;
    }

    /**
     * Before a start, with the root file system mounted: mounts volumes that have driver options and,
     * once per container and volume, copies the image's content at the destination into a volume
     * that is still empty (Docker's copy-up; skipped with nocopy).
     */
    void populate(String id, Path rootfs) {
        VolumeService volumes = service();
        if (volumes == null) return;
        for (VolumeRef r : volumes.refs(id)) {
            volumes.prepare(r.volume());
            volumes.mounted(r);
            if (r.populated()) continue;
            if (!r.noCopy()) {
                try {
                    copyUp(rootfs, r.destination(), volumes.data(r.volume()));
                } catch (IOException e) {
                    throw new BerthException(BerthException.Kind.UNAVAILABLE, "copying " + r.destination() + " of container " + id
                            + " into volume " + r.volume() + ": " + e.getMessage(), e);
                }
            }
            volumes.markPopulated(id, r.destination());
        }
    }

    /** At removal: drops the references; anonymous volumes go too with {@code removeAnonymous}. */
    void release(String id, boolean removeAnonymous) {
        VolumeService volumes = ifWired();
        if (volumes == null) return;
        try {
            volumes.release(id, removeAnonymous);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "releasing the volumes of container " + id + ": " + e.getMessage());
        }
    }

    /** Drops the references of containers that no longer exist (a crash between removal and release). */
    void forgetOthers(Set<String> existing) {
        VolumeService volumes = ifWired();
        if (volumes != null) volumes.releaseUnknown(existing);
    }

    // ---- Mounts of inspect and ps ---------------------------------------------------------------------

    List<MountPoint> mountPoints(String id, ContainerSpec spec) {
        HostSpec h = spec.host() == null ? HostSpec.DEFAULT : spec.host();
        List<MountPoint> out = new ArrayList<>();
        if (h.binds() != null) {
            for (String b : h.binds()) {
                String[] p = b.split(":");
                if (p.length < 2 || isVolumeBind(b)) continue;
                String mode = p.length >= 3 ? p[2] : "";
                String prop = Stream.of(mode.split(",")).filter(o -> o.endsWith("shared") || o.endsWith("slave") || o.endsWith("private"))
                        .findFirst().orElse("rprivate");
                out.add(new MountPoint("bind", null, p[0], clean(p[1]), null, mode, !List.of(mode.split(",")).contains("ro"), prop));
            }
        }
        if (h.mounts() != null) {
            for (HostSpec.MountSpec m : h.mounts()) {
                if ("bind".equals(m.type())) {
                    out.add(new MountPoint("bind", null, m.source(), clean(m.target()), null, "", !m.readOnly(),
                            m.propagation() == null || m.propagation().isEmpty() ? "rprivate" : m.propagation()));
                } else if ("tmpfs".equals(m.type())) {
                    out.add(new MountPoint("tmpfs", null, "", clean(m.target()), null, "", !m.readOnly(), ""));
                }
            }
        }
        VolumeService volumes = ifWired();
        if (volumes != null) {
            for (VolumeRef r : volumes.refs(id)) {
                out.add(new MountPoint("volume", r.volume(), volumes.data(r.volume()).toString(), r.destination(), VolumeService.DRIVER,
                        r.mode(), !r.readOnly(), ""));
            }
        }
        return out;
    }

    /** ps's {@code volume=X} filter: X is a volume's name or a mount's destination (Docker's rule). */
    boolean uses(String id, ContainerSpec spec, String x) {
        String d = x.startsWith("/") ? clean(x) : x;
        return mountPoints(id, spec).stream().anyMatch(m -> x.equals(m.name()) || d.equals(m.destination()));
    }

    ContainerDetails decorate(ContainerDetails d) {
        List<MountPoint> m = mountPoints(d.id(), d.spec());
        if (m.isEmpty()) return d;
        return new ContainerDetails(d.id(), d.name(), d.created(), d.imageId(), d.image(), d.path(), d.args(), d.state(), d.spec(), d.env(),
                d.workingDir(), d.user(), d.rootfs(), d.logPath(), d.labels(), d.execIds(), d.driver(), d.networkSettings(),
                concat(d.mounts(), m));
    }

    ContainerSummary decorate(ContainerSummary s, ContainerSpec spec) {
        List<MountPoint> m = mountPoints(s.id(), spec);
        if (m.isEmpty()) return s;
        return new ContainerSummary(s.id(), s.names(), s.image(), s.imageId(), s.command(), s.created(), s.state(), s.status(), s.labels(),
                s.networkSettings(), concat(s.mounts(), m));
    }

    private static List<MountPoint> concat(List<MountPoint> a, List<MountPoint> b) {
        List<MountPoint> out = new ArrayList<>(a);
        for (MountPoint m : b) if (out.stream().noneMatch(x -> x.destination().equals(m.destination()))) out.add(m);
        return out;
    }

    private static String clean(String p) {
        return p == null || p.isEmpty() ? p : Path.of(p).normalize().toString();
    }

    // ---- copy-up ----------------------------------------------------------------------------------------

    /**
     * Copies the directory at {@code dest} inside the root file system into {@code data} when
     * {@code data} is empty, keeping owners, modes and times, as Docker does. The path is resolved by
     * the kernel with the root file system as "/" (openat2 RESOLVE_IN_ROOT), so an image symlink
     * cannot point the copy at a host directory; symlinks inside are copied as links, never followed.
     * Device nodes, sockets and fifos are skipped.
     */
    static void copyUp(Path rootfs, String dest, Path data) throws IOException {
        try (Stream<Path> s = Files.list(data)) {
            if (s.findAny().isPresent()) return;
        }
        try (Fd root = Syscalls.open(rootfs.toString(), O_PATH | O_DIRECTORY | O_CLOEXEC)) {
            Fd dir;
            try {
                dir = Syscalls.openat2(root.fd(), dest.substring(1), O_PATH | O_DIRECTORY | O_CLOEXEC, 0, IN_ROOT);
            } catch (ErrnoException e) {
                if (e.is(ENOENT) || e.is(ENOTDIR)) return; // nothing there: the runtime creates the mount point
                throw e;
            }
            try (dir) {
                // "/proc/self/fd/N/." walks through the descriptor without following links below it.
                Path src = Path.of("/proc/self/fd/" + dir.fd() + "/.");
                copyOwnerAndMode(src, data);
                Files.walkFileTree(src, new SimpleFileVisitor<>() {
                    @Override public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) throws IOException {
                        if (d.equals(src)) return FileVisitResult.CONTINUE;
                        Files.copy(d, data.resolve(src.relativize(d).toString()), StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                        if (a.isOther()) return FileVisitResult.CONTINUE;
                        Files.copy(f, data.resolve(src.relativize(f).toString()), StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                        if (e != null) throw e;
                        Path t = d.equals(src) ? data : data.resolve(src.relativize(d).toString());
                        // children changed the directory's times: restore the image's
                        Files.setLastModifiedTime(t, Files.getLastModifiedTime(d, LinkOption.NOFOLLOW_LINKS));
                        return FileVisitResult.CONTINUE;
                    }
                });
            }
        }
    }

    private static void copyOwnerAndMode(Path src, Path dst) throws IOException {
        Files.setAttribute(dst, "unix:uid", Files.getAttribute(src, "unix:uid", LinkOption.NOFOLLOW_LINKS));
        Files.setAttribute(dst, "unix:gid", Files.getAttribute(src, "unix:gid", LinkOption.NOFOLLOW_LINKS));
        Files.setAttribute(dst, "unix:mode", Files.getAttribute(src, "unix:mode", LinkOption.NOFOLLOW_LINKS));
    }
}
