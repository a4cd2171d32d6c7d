package io.berth.cli;

import io.berth.api.BerthException;
import io.berth.api.container.ArchiveRead;
import io.berth.api.container.ContainerEngine;
import io.berth.api.container.PathStat;
import io.berth.client.DaemonException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code berth cp}: {@code CONTAINER:SRC DEST|-} and {@code SRC|- CONTAINER:DEST}, on the archive
 * endpoints as the docker CLI uses them: HEAD to stat the destination, PUT a tar into a directory,
 * GET a tar whose top entry is the source's base name. Extraction on the host refuses entries that
 * climb out of the destination or pass through a symlink, since the tar comes from the container.
 */
final class CopyCommand {
    private CopyCommand() {}

    static int cp(Cli cli, List<String> args, String cmd) {
        try {
            return run(cli, args, cmd);
        } catch (IOException e) {
            throw new CliException("copying: " + e.getMessage());
        }
    }

    private static int run(Cli cli, List<String> args, String cmd) throws IOException {
        Flags f = new Flags(cmd + " [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\t" + cmd + " [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH",
                "Copy files/folders between a container and the local filesystem")
                .bool("archive", 'a', "Archive mode (copy all uid/gid information)")
                .bool("follow-link", 'L', "Always follow symbol link in SRC_PATH")
                .bool("quiet", 'q', "Suppress progress output during copy");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 2, 2);
        String src = p.args().get(0), dst = p.args().get(1);
        int sc = container(src), dc = container(dst);
        ContainerEngine containers = cli.client().containers();
        if (sc > 0 && dc > 0) throw new CliException("copying between containers is not supported");
        if (sc > 0) return fromContainer(cli, containers, src.substring(0, sc), src.substring(sc + 1), dst);
        if (dc > 0) return toContainer(cli, containers, src, dst.substring(0, dc), dst.substring(dc + 1));
        throw new CliException("must specify at least one container source");
    }

    /** Index of the ':' after a container name, or -1 for a local path (absolute or ./-relative paths never name a container). */
    private static int container(String arg) {
        if (arg.startsWith("/") || arg.startsWith(".")) return -1;
        return arg.indexOf(':');
    }

    // ---- container -> host -----------------------------------------------------------------------------

    private static int fromContainer(Cli cli, ContainerEngine containers, String ref, String path, String dst) throws IOException {
        if (path.isEmpty()) throw new CliException("copying from " + ref + ": the path is empty");
        try (ArchiveRead a = containers.archiveGet(ref, path)) {
            if (dst.equals("-")) {
                a.tar().transferTo(cli.out);
                cli.out.flush();
                return 0;
            }
            Path dest = Path.of(dst).toAbsolutePath();
            String rename = null;
            Path into;
            boolean contentOnly = path.endsWith("/.");
            if (Files.isDirectory(dest)) {
                into = dest;
            } else {
                if (dst.endsWith("/") && a.stat().isDirectory() == false) throw new CliException("destination directory " + dst + " does not exist");
                into = dest.getParent();
                if (into == null || !Files.isDirectory(into)) throw new CliException("destination directory " + (into == null ? dst : into) + " does not exist");
                rename = dest.getFileName().toString();
                if (contentOnly) { Files.createDirectories(dest); into = dest; rename = null; }
            }
            extract(a.tar(), into, rename);
        }
        return 0;
    }

    /** Extracts into {@code into}; with {@code rename}, the top entry's first component becomes that name. */
    private static void extract(InputStream tar, Path into, String rename) throws IOException {
        Path base = into.toRealPath();
        try (TarArchiveInputStream in = new TarArchiveInputStream(tar)) {
            for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                String name = e.getName();
                if (rename != null) {
                    int slash = name.indexOf('/');
                    name = slash < 0 ? rename : rename + name.substring(slash);
                }
                Path target = base.resolve(name).normalize();
                if (!target.startsWith(base) || target.equals(base) && !e.isDirectory()) {
                    throw new CliException("copying: entry " + e.getName() + " leaves the destination");
                }
                for (Path q = target.getParent(); q != null && !q.equals(base); q = q.getParent()) {
                    if (Files.isSymbolicLink(q)) throw new CliException("copying: entry " + e.getName() + " passes through the symlink " + q);
                }
                if (e.isDirectory()) {
                    if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                        Files.deleteIfExists(target);
                        Files.createDirectories(target);
                    }
                } else if (e.isSymbolicLink()) {
                    Files.deleteIfExists(target);
                    Files.createSymbolicLink(target, Path.of(e.getLinkName()));
                    continue;
                } else if (e.isFile()) {
                    Files.createDirectories(target.getParent());
                    if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) throw new CliException("cannot overwrite directory " + target + " with a file");
                    Files.deleteIfExists(target); // never write through a symlink that is there
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                } else {
                    continue; // devices and fifos are not recreated on the host
                }
                Files.setPosixFilePermissions(target, perms(e.getMode()));
                Files.setLastModifiedTime(target, FileTime.from(e.getLastModifiedTime().toInstant()));
            }
        }
    }

    private static Set<PosixFilePermission> perms(int mode) {
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] all = PosixFilePermission.values(); // OWNER_READ … OTHERS_EXECUTE, high bit first
        for (int i = 0; i < 9; i++) if ((mode & (0400 >> i)) != 0) s.add(all[i]);
        return s;
    }

    // ---- host -> container -----------------------------------------------------------------------------

    private static int toContainer(Cli cli, ContainerEngine containers, String src, String ref, String path) throws IOException {
        if (path.isEmpty()) throw new CliException("copying to " + ref + ": the path is empty");
        if (src.equals("-")) {
            containers.archivePut(ref, path, cli.in, true);
            return 0;
        }
        Path source = Path.of(src).toAbsolutePath();
        if (!Files.exists(source, LinkOption.NOFOLLOW_LINKS)) throw new CliException("lstat " + source + ": no such file or directory");
        boolean contentOnly = src.endsWith("/.");
        String dir;
        String name;
        PathStat st = null;
        try {
            st = containers.archiveStat(ref, path);
        } catch (DaemonException e) {
            if (e.kind() != BerthException.Kind.NOT_FOUND) throw e;
        }
        if (st != null && st.isDirectory()) {
            dir = path;
            name = contentOnly ? null : source.getFileName().toString();
        } else {
            if (st == null && path.endsWith("/")) throw new CliException("Error response from daemon: Could not find the file " + path + " in container " + ref);
            if (st != null && Files.isDirectory(source)) throw new CliException("cannot copy directory to file");
            String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
            int slash = trimmed.lastIndexOf('/');
            dir = slash <= 0 ? "/" : trimmed.substring(0, slash);
            name = trimmed.substring(slash + 1);
            if (st == null) containers.archiveStat(ref, dir); // the parent must exist: Docker's error if not
        }
        final String top = name;
        // The tar is produced while it is sent: a pipe fed by a virtual thread.
        PipedInputStream pin = new PipedInputStream(256 * 1024);
        PipedOutputStream pout = new PipedOutputStream(pin);
        Thread writer = Thread.ofVirtual().start(() -> {
            try (TarArchiveOutputStream t = new TarArchiveOutputStream(pout)) {
                t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                t.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                if (top == null) {
                    try (Stream<Path> s = Files.list(source)) {
                        for (Path c : s.sorted().toList()) add(t, c, c.getFileName().toString());
                    }
                } else {
                    add(t, source, top);
                }
            } catch (IOException e) {
                try { pout.close(); } catch (IOException ignored) { /* reader sees the end */ }
            }
        });
        try (pin) {
            containers.archivePut(ref, dir, pin, true);
        } finally {
            writer.interrupt();
        }
        return 0;
    }

    private static void add(TarArchiveOutputStream t, Path p, String name) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(p, Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? name + "/" : name, LinkOption.NOFOLLOW_LINKS);
        if (Files.isSymbolicLink(p)) {
            e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
            e.setLinkName(Files.readSymbolicLink(p).toString());
        }
        // Docker gives the copy to the container's root user unless -a; so do we.
        e.setUserId(0);
        e.setGroupId(0);
        e.setUserName("");
        e.setGroupName("");
        t.putArchiveEntry(e);
        if (e.isFile()) Files.copy(p, t);
        t.closeArchiveEntry();
        if (e.isDirectory()) {
            try (Stream<Path> s = Files.list(p)) {
                for (Path c : s.sorted().toList()) add(t, c, name + "/" + c.getFileName());
            }
        }
    }
}
