package io.berth.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One daemon per state directory: an fcntl lock on {@code ROOT/berth.lock}, which the kernel
 * releases when the process dies (even by kill -9), so a crash never leaves the root locked. The
 * holder writes its pid into the file so that a refused second daemon can say who holds it. The
 * file itself is left in place: deleting a lock file lets a third process lock a fresh inode
 * while the second still holds the old one.
 */
public final class RootLock implements AutoCloseable {
    static final String FILE = "berth.lock";
    private final FileChannel channel;
    private final FileLock lock;

    private RootLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    public static RootLock acquire(Path root) throws DaemonException {
        Path file = root.resolve(FILE);
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new DaemonException("locking root " + root + ": opening " + file + ": " + e.getMessage(), e);
        }
        try {
            FileLock l;
            try { l = ch.tryLock(); }
            catch (OverlappingFileLockException e) { l = null; } // held by this very JVM
            if (l == null) {
                String pid = holder(ch);
                ch.close();
                throw new DaemonException("another berthd (pid " + pid + ") owns root " + root
                        + "; stop it first or use another --root (lock file " + file + ")");
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            ch.force(true);
            return new RootLock(ch, l);
        } catch (IOException e) {
            try { ch.close(); } catch (IOException ignored) { }
            throw new DaemonException("locking root " + root + ": " + e.getMessage(), e);
        }
    }

    private static String holder(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(32);
        ch.read(b, 0);
        String s = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).strip();
        return s.isEmpty() ? "unknown" : s;
    }

    @Override public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // Closing the channel releases the lock in any case; nothing else to undo.
        }
    }
}
