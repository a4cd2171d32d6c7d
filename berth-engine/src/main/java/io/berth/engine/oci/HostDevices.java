package io.berth.engine.oci;

import io.berth.spec.runtime.Linux;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The host's device nodes, for {@code --privileged}, which gives the container every one of them. */
final class HostDevices {
    private HostDevices() {}

    // Directories with their own file systems in the container (pts, shm, mqueue) or with
    // per-process meaning (fd), and the console, which runc sets up itself.
    private static final Set<String> SKIP = Set.of("pts", "shm", "mqueue", "fd", ".lxc", ".lxd-mounts", ".udev");

    static List<Linux.Device> list(Path dev) {
        List<Linux.Device> out = new ArrayList<>();
        try {
            Files.walkFileTree(dev, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
                    return !d.equals(dev) && SKIP.contains(d.getFileName().toString()) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                    if (!a.isOther() || f.getFileName().toString().equals("console")) return FileVisitResult.CONTINUE;
                    Map<String, Object> u = Files.readAttributes(f, "unix:mode,rdev,uid,gid", LinkOption.NOFOLLOW_LINKS);
                    int mode = (Integer) u.get("mode");
                    int fmt = mode & 0170000;
                    String type = fmt == 0020000 ? "c" : fmt == 0060000 ? "b" : null;
                    if (type == null) return FileVisitResult.CONTINUE;
                    long rdev = (Long) u.get("rdev");
                    // glibc's gnu_dev_major/minor encoding of dev_t
                    long major = ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
                    long minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
                    out.add(new Linux.Device(type, "/dev/" + dev.relativize(f),
                            major, minor, mode & 07777, ((Integer) u.get("uid")).longValue(), ((Integer) u.get("gid")).longValue()));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path f, IOException e) { return FileVisitResult.CONTINUE; }
            });
        } catch (IOException e) {
            // a partial list is still the host's devices; privileged containers get what could be read
        }
        return out;
    }
}
