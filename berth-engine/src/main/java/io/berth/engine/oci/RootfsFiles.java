package io.berth.engine.oci;

import io.berth.engine.sys.ErrnoException;
import io.berth.engine.sys.Fd;
import io.berth.engine.sys.Stat;
import io.berth.engine.sys.Syscalls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads small files from an untrusted root file system. An image is hostile input: its
 * /etc/passwd may be a symlink to /etc/shadow, "../../../etc/shadow", a FIFO that blocks forever or
 * /dev/zero. So the path is resolved by the kernel with openat2 RESOLVE_IN_ROOT (absolute links
 * and ".." stay inside the root), magic links are refused, the open does not block on a FIFO, and
 * only a regular file of bounded size is read.
 */
final class RootfsFiles {
    private RootfsFiles() {}

    static final int MAX_SIZE = 4 << 20;

    /** The file's bytes, or null when it does not exist inside the root. */
    static byte[] read(Path rootfs, String pathInRoot) throws IOException {
        try (Fd root = Syscalls.open(rootfs.toString(), Syscalls.O_PATH | Syscalls.O_DIRECTORY | Syscalls.O_CLOEXEC)) {
            Fd f;
            try {
                f = Syscalls.openat2(root.fd(), pathInRoot,
                        Syscalls.O_RDONLY | Syscalls.O_CLOEXEC | Syscalls.O_NOCTTY | Syscalls.O_NONBLOCK, 0,
                        Syscalls.RESOLVE_IN_ROOT | Syscalls.RESOLVE_NO_MAGICLINKS);
            } catch (ErrnoException e) {
                if (e.is(Syscalls.ENOENT) || e.is(Syscalls.ENOTDIR)) return null;
                throw e;
            }
            try (f) {
                Stat st = Syscalls.fstat(f.fd());
                if ((st.mode() & Syscalls.S_IFMT) != Syscalls.S_IFREG) {
                    throw new IOException(pathInRoot + " in the image is not a regular file");
                }
                if (st.size() > MAX_SIZE) throw new IOException(pathInRoot + " in the image is larger than " + MAX_SIZE + " bytes");
                // Re-opening through /proc/self/fd reaches the very file already resolved (the fd's
                // magic link), not the path again, so no symlink swap can happen in between.
                try (InputStream in = Files.newInputStream(Path.of("/proc/self/fd/" + f.fd()))) {
                    return in.readNBytes(MAX_SIZE);
                }
            }
        }
    }
}
