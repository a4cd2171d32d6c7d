package io.berth.engine.network;

import io.berth.api.BerthException;

import io.berth.engine.sys.MountCalls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Network namespaces kept alive as bind-mounted nsfs files ({@code DIR/ID}), made before the runtime
 * starts so the backend can configure them and the OCI spec can name them. {@code unshare --net=FILE}
 * creates the namespace and binds it to the file in one step (the process exits at once, the mount
 * keeps the namespace). The directory is made a private mount of itself first, as ip-netns does: on a
 * shared parent mount the nsfs bind would propagate into other mount namespaces (the containers'), which
 * would pin the namespace after we unmount it here.
 */
public final class Netns {
    private final Path dir;

    public Netns(Path dir) {
        this.dir = dir;
    }

    public Path dir() { return dir; }

    public Path path(String id) { return dir.resolve(id); }

    /** Creates the namespace file for {@code id} (replacing a stale one). */
    public Path create(String id) {
        Path f = path(id);
        try {
            privateDir();
            remove(id);
            Files.createFile(f);
            Cmd.run("unshare", "--net=" + f, "true").check("creating network namespace " + f);
            return f;
        } catch (IOException | RuntimeException e) {
            try { remove(id); } catch (RuntimeException suppressed) { e.addSuppressed(suppressed); }
            if (e instanceof BerthException be) throw be;
            throw BerthException.unavailable("creating network namespace %s: %s", f, e.getMessage());
        }
    }

    /** Unmounts and deletes the namespace file; nothing when it does not exist. */
    public void remove(String id) {
        Path f = path(id);
        if (!Files.exists(f)) return;
        try {
            if (mounted(f)) MountCalls.umount2(f.toString(), 0);
            Files.deleteIfExists(f);
        } catch (IOException e) {
            throw BerthException.unavailable("removing network namespace %s: %s", f, e.getMessage());
        }
    }

    /**
     * Gives the namespace of {@code from} the name {@code to} (a warm namespace claimed by a container, a
     * container's namespace handed to the background teardown): a bind of the nsfs file to the new name,
     * then the old name unmounted and deleted. Two syscalls, and the namespace is never without a file
     * that pins it. A rename(2) cannot do it: the file is a mount point.
     */
    public Path move(String from, String to) {
        Path src = path(from), dst = path(to);
        try {
            if (Files.exists(dst)) remove(to);
            Files.createFile(dst);
            MountCalls.mount(src.toString(), dst.toString(), null, MountCalls.MS_BIND, null);
        } catch (IOException e) {
            try { Files.deleteIfExists(dst); } catch (IOException ignored) { /* reported below */ }
            throw BerthException.unavailable("moving network namespace %s to %s: %s", src, dst, e.getMessage());
        }
        remove(from);
        return dst;
    }

    /** The IDs with a namespace file. */
    public List<String> list() {
        if (!Files.isDirectory(dir)) return List.of();
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> out.add(p.getFileName().toString()));
        } catch (IOException e) {
            throw BerthException.unavailable("listing network namespaces in %s: %s", dir, e.getMessage());
        }
        return out;
    }

    private synchronized void privateDir() throws IOException {
        Files.createDirectories(dir);
        if (mounted(dir)) return;
        Cmd.run("mount", "--bind", dir.toString(), dir.toString()).check("bind-mounting " + dir);
        Cmd.run("mount", "--make-private", dir.toString()).check("making " + dir + " a private mount");
    }

    /**
     * Unmounts the directory's own bind mount when no namespace is left (the engine closes; running
     * containers keep theirs, and the directory, until the next start recovers them).
     */
    public synchronized void closeIfUnused() {
        if (list().isEmpty() && mounted(dir)) Cmd.run("umount", dir.toString());
    }

    static boolean mounted(Path p) {
        try {
            String target = p.toAbsolutePath().normalize().toString();
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length > 4 && unescape(f[4]).equals(target)) return true;
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private static String unescape(String s) {
        return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }
}
