package io.berth.engine.snapshot;

import io.berth.engine.snapshot.CommandRunner.Invocation;
import io.berth.spec.runtime.Mount;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Mounts the {@link Mount} values snapshotters return, with util-linux {@code mount}/{@code umount}
 * through the {@link CommandRunner} seam. Argument building is pure ({@link #mountInvocation},
 * {@link #unmountInvocation}) so it is tested without root.
 *
 * <p>One Berth convention: a mount carrying the option {@code x-berth.chdir=DIR} (see
 * {@link #CHDIR_OPTION}) has relative paths in its other options (overlay lowerdirs of an image
 * with 100+ layers, whose absolute paths would not fit the one page the kernel copies for mount
 * options). The mount must then be performed with DIR as working directory, because the kernel
 * resolves relative lowerdirs against the calling process's cwd; this class does that and strips
 * the option. A consumer that hands mounts to another tool (runc) must mount such rootfs itself
 * with this class. mount(8) also treats {@code x-*} options as userspace-only, never passing them
 * to the kernel.
 */
public final class Mounter {
    public static final String CHDIR_OPTION = "x-berth.chdir=";

    /** Paths or names (looked up on PATH) of the programs used; configuration, not hard-coded. */
    public record Tools(String mount, String umount) {
        public static Tools defaults() { return new Tools("mount", "umount"); }
    }

    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private final Tools tools;
    private final CommandRunner runner;
    /** Whether plain overlay and bind mounts use the syscalls ({@link DirectMounts}) instead of mount(8). */
    private final boolean direct;

    /** The host's mount(8)/umount(8), with the common cases done by syscalls (see {@link DirectMounts}). */
    public Mounter() {
        this(Tools.defaults(), CommandRunner.system(), true);
    }

    /** Every mount and unmount through {@code runner} (tests inject one to see or fail the invocations). */
    public Mounter(Tools tools, CommandRunner runner) {
        this(tools, runner, false);
    }

    private Mounter(Tools tools, CommandRunner runner, boolean direct) {
        this.tools = tools;
        this.runner = runner;
        this.direct = direct;
    }

    CommandRunner runner() { return runner; }

    /**
     * Mounts each of {@code mounts} on {@code target} in order (their destination is ignored). When
     * one fails, those already mounted are unmounted again before the exception propagates.
     */
    public void mount(List<Mount> mounts, Path target) throws IOException {
        int done = 0;
        try {
            for (Mount m : mounts) {
                if (direct && DirectMounts.supports(m)) DirectMounts.mount(m, target);
                else runner.run(mountInvocation(tools, m, target));
                done++;
            }
        } catch (IOException | RuntimeException e) {
            for (int i = 0; i < done; i++) {
                try {
                    unmountTop(target);
                } catch (IOException ue) {
                    e.addSuppressed(ue);
                }
            }
            throw e;
        }
    }

    /**
     * Unmounts everything mounted on {@code target} (several mounts may be stacked there). Returns
     * false when nothing was mounted there, so callers may unmount idempotently.
     */
    public boolean unmount(Path target) throws IOException {
        boolean any = false;
        for (int i = 0; i < 64 && isMountPoint(target); i++) {
            unmountTop(target);
            any = true;
        }
        if (isMountPoint(target)) throw new IOException("unmounting " + target + ": still mounted after 64 unmounts");
        return any;
    }

    private void unmountTop(Path target) throws IOException {
        if (direct) DirectMounts.unmount(target);
        else runner.run(unmountInvocation(tools, target));
    }

    /** Unmounts every mount at or below {@code dir}, deepest first (before deleting a tree). */
    public void unmountAllUnder(Path dir) throws IOException {
        List<Path> points = mountPointsUnder(dir);
        for (Path p : points) unmount(p);
    }

    /** The argv and working directory that mount {@code m} on {@code target}. Pure. */
    static Invocation mountInvocation(Tools tools, Mount m, Path target) {
        List<String> opts = new ArrayList<>();
        Path cwd = null;
        for (String o : m.options() == null ? List.<String>of() : m.options()) {
            if (o.startsWith(CHDIR_OPTION)) cwd = Path.of(o.substring(CHDIR_OPTION.length()));
            else opts.add(o);
        }
        List<String> argv = new ArrayList<>();
        argv.add(tools.mount());
        if ("bind".equals(m.type())) {
            // "bind" is not a filesystem type: mount(8) wants the bind in the options, and then (since
            // util-linux 2.27) applies ro/rw with the remount a read-only bind needs.
            if (!opts.contains("bind") && !opts.contains("rbind")) opts.addFirst("rbind");
        } else {
            argv.add("-t");
            argv.add(m.type());
        }
        if (!opts.isEmpty()) {
            argv.add("-o");
            argv.add(String.join(",", opts));
        }
        argv.add(m.source());
        argv.add(target.toString());
        return new Invocation(argv, cwd);
    }

    /** The argv that unmounts the top mount on {@code target}. Pure. */
    static Invocation unmountInvocation(Tools tools, Path target) {
        return new Invocation(List.of(tools.umount(), target.toString()), null);
    }

    /** Whether something is mounted exactly at {@code path} (per /proc/self/mountinfo). */
    public static boolean isMountPoint(Path path) throws IOException {
        Path real = realOrAbsolute(path);
        return readMountPoints().contains(real);
    }

    /** Mount points at or below {@code dir}, deepest first. */
    public static List<Path> mountPointsUnder(Path dir) throws IOException {
        Path real = realOrAbsolute(dir);
        return readMountPoints().stream().filter(p -> p.startsWith(real)).distinct()
                .sorted(Comparator.comparingInt(Path::getNameCount).reversed()).toList();
    }

    private static List<Path> readMountPoints() throws IOException {
        return parseMountPoints(Files.readString(MOUNTINFO, StandardCharsets.UTF_8));
    }

    /**
     * Mount points listed in a mountinfo text (proc(5)): the fifth field, whose space, tab, newline
     * and backslash the kernel writes as octal escapes. Pure.
     */
    static List<Path> parseMountPoints(String mountinfo) {
        List<Path> out = new ArrayList<>();
        for (String line : mountinfo.split("\n")) {
            String[] f = line.split(" ");
            if (f.length < 5) continue;
            out.add(Path.of(unescapeOctal(f[4])));
        }
        return out;
    }

    static String unescapeOctal(String s) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1)) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) return false;
        for (int i = from; i < from + 3; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '7') return false;
        }
        return true;
    }

    private static Path realOrAbsolute(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }
}
