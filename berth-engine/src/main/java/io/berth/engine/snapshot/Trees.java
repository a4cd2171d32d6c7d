package io.berth.engine.snapshot;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
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
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Directory-tree helpers for snapshot directories. */
@SuppressWarnings("restricted")   // FFM downcalls; the JVM runs with --enable-native-access
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
        // A bind mount of the same filesystem has the same st_dev, so the device check below cannot
        // see it: make sure nothing is mounted below any more.
        List<Path> still = Mounter.mountPointsUnder(dir);
        if (!still.isEmpty()) throw new IOException("deleting " + dir + ": still mounted below it: " + still);
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

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle OPEN = LINKER.downcallHandle(LINKER.defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
            Linker.Option.firstVariadicArg(2), Linker.Option.captureCallState("errno"));   // open(2) is variadic (mode)
    private static final MethodHandle SYNCFS = LINKER.downcallHandle(LINKER.defaultLookup().find("syncfs").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), Linker.Option.captureCallState("errno"));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(LINKER.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final int O_RDONLY = 0, O_DIRECTORY = 0200000, O_CLOEXEC = 02000000;

    /**
     * syncfs(2) on the filesystem holding {@code dir}: flushes every file written there (a whole
     * unpacked layer) in one call, where fsync per file would cost a journal commit each. Called
     * through FFM because spawning sync(1) costs as much again as the flush.
     */
    static void syncFilesystem(Path dir) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(dir.toString()), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (fd < 0) throw new IOException("syncing filesystem of " + dir + ": open failed, errno " + (int) ERRNO.get(state, 0L));
            try {
                if ((int) SYNCFS.invokeExact(state, fd) != 0) {
                    throw new IOException("syncing filesystem of " + dir + ": syncfs failed, errno " + (int) ERRNO.get(state, 0L));
                }
            } finally {
                int ignored = (int) CLOSE.invokeExact(fd);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
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
