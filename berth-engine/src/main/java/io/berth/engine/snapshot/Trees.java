package io.berth.engine.snapshot;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Directory-tree helpers for snapshot directories. */
final class Trees {
    private Trees() {}

    /**
     * Deletes {@code dir} and everything below it, never following symlinks and never crossing into
     * another filesystem: mounts below it are unmounted first (a crash can leave a probe or a view
     * mounted), and a directory on another device that is still there makes the delete fail rather
     * than empty someone else's filesystem.
     */
    static void deleteTree(Path dir, Mounter mounter) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        mounter.unmountAllUnder(dir);
        Object rootDev = Files.getAttribute(dir, "unix:dev", LinkOption.NOFOLLOW_LINKS);
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                if (!rootDev.equals(Files.getAttribute(d, "unix:dev", LinkOption.NOFOLLOW_LINKS))) {
                    throw new IOException("deleting " + dir + ": refusing to cross into another filesystem at " + d);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(f);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) return FileVisitResult.CONTINUE;
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) throw e;
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * Bytes of the regular files below {@code dir} (symlinks not followed; a file with several hard
     * links inside the tree counted once). This is the apparent size, as Docker reports layer sizes.
     */
    static long usage(Path dir) throws IOException {
        long[] total = {0};
        Set<Object> seen = new HashSet<>();
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile()) {
                    Map<String, Object> a = Files.readAttributes(f, "unix:nlink,ino,dev", LinkOption.NOFOLLOW_LINKS);
                    if ((Integer) a.get("nlink") <= 1 || seen.add(a.get("dev") + ":" + a.get("ino"))) {
                        total[0] += attrs.size();
                    }
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return total[0];
    }

    /** fsyncs a directory, so a rename or a creation inside it survives a power cut. */
    static void fsyncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /**
     * Gives {@code to} the mode and owner of {@code from}. An overlay's merged root takes its
     * attributes from the upper dir, so a new snapshot's root must look like its parent's.
     */
    static void copyRootAttributes(Path from, Path to) throws IOException {
        Map<String, Object> a = Files.readAttributes(from, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(to, "unix:uid", a.get("uid"), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(to, "unix:gid", a.get("gid"), LinkOption.NOFOLLOW_LINKS);
        // unix:mode rather than PosixFilePermissions, which would drop setgid and sticky bits.
        Files.setAttribute(to, "unix:mode", (Integer) a.get("mode") & 07777, LinkOption.NOFOLLOW_LINKS);
    }
}
