package io.berth.daemon;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Clears the way for the daemon's socket. A socket file left by a daemon that died is removed,
 * but only once a connection attempt is refused: if something answers, another daemon (perhaps on
 * another root) is serving there, and removing its socket would silently orphan it.
 */
final class SocketGuard {
    private static final System.Logger LOG = System.getLogger("io.berth.daemon");
    private static final int S_IFMT = 0170000, S_IFSOCK = 0140000;

    private SocketGuard() {}

    static void clearStale(Path socket) throws DaemonException {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) return;
        try {
            int mode = (Integer) Files.getAttribute(socket, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if ((mode & S_IFMT) != S_IFSOCK)
                throw new DaemonException(socket + " exists and is not a socket; refusing to replace it");
        } catch (IOException e) {
            throw new DaemonException("checking " + socket + ": " + e.getMessage(), e);
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            throw new DaemonException("another daemon is listening on " + socket + "; stop it first or use another --host");
        } catch (ConnectException refused) {
            try {
                Files.delete(socket);
                LOG.log(System.Logger.Level.INFO, "removed stale socket {0}", socket);
            } catch (IOException e) {
                throw new DaemonException("removing stale socket " + socket + ": " + e.getMessage(), e);
            }
        } catch (IOException e) {
            throw new DaemonException("checking " + socket + ": " + e.getMessage(), e);
        }
    }
}
