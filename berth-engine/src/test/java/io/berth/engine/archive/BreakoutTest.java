package io.berth.engine.archive;

import io.berth.api.BerthException;
import io.berth.engine.sys.Stat;
import io.berth.engine.sys.Syscalls;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * Hostile layers, one per row: each is applied to {@code tmp/root} (possibly on top of earlier
 * layers that plant symlinks) next to a sentinel {@code tmp/outside} tree. A row expects either a
 * clean INVALID_ARGUMENT naming the entry, or success with the write landing inside the root; in
 * every row nothing outside the root may change (a digest of everything else in {@code tmp}, with
 * modes, owners, link counts, times, contents, link targets and sentinel xattrs, is compared).
 *
 * <p>Ideas from containerd's {@code TestBreakouts} and moby's {@code testBreakout}; {@code OUT}
 * in a name stands for the absolute path of the sentinel directory on the host.
 */
class BreakoutTest {
    @TempDir Path tmp;

    /** Builds a tar; {@code out} is the absolute host path of the sentinel directory. */
    interface Layer { TarBuilder build(String out); }

    /** Inspects the root after a successful apply. */
    interface Check { void verify(Path root, String out) throws IOException; }

    enum Outcome { REFUSED, INSIDE }

    record Case(String name, WhiteoutMode mode, List<Layer> lower, Layer layer, Outcome outcome, Check check) {
        @Override public String toString() { return name + " (" + mode + ")"; }
    }

    private static Case refused(String name, Layer layer) { return new Case(name, WhiteoutMode.DELETE, List.of(), layer, Outcome.REFUSED, null); }

    private static Case refused(String name, WhiteoutMode mode, Layer lower, Layer layer) {
        return new Case(name, mode, List.of(lower), layer, Outcome.REFUSED, null);
    }

    private static Case inside(String name, Layer layer, Check check) { return new Case(name, WhiteoutMode.DELETE, List.of(), layer, Outcome.INSIDE, check); }

    private static Case inside(String name, WhiteoutMode mode, Layer lower, Layer layer, Check check) {
        return new Case(name, mode, List.of(lower), layer, Outcome.INSIDE, check);
    }

    static Stream<Case> cases() {
        String longTail = "x".repeat(150);
        return Stream.of(
                // ---- names that climb out lexically
                refused("file ../escape", o -> new TarBuilder().file("../escape", "pwn")),
                refused("file ../../../../../../escape", o -> new TarBuilder().file("../../../../../../escape", "pwn")),
                refused("file a/../../escape", o -> new TarBuilder().dir("a").file("a/../../escape", "pwn")),
                refused("file ./../escape", o -> new TarBuilder().file("./../escape", "pwn")),
                refused("dir ../escapedir", o -> new TarBuilder().dir("../escapedir")),
                refused("symlink ../escape-link", o -> new TarBuilder().symlink("../escape-link", "/")),
                refused("fifo ../escape-fifo", o -> new TarBuilder().fifo("../escape-fifo")),
                refused("PAX path ../" + "x*150", o -> new TarBuilder().file("../" + longTail, "pwn")),
                refused("GNU long name ../" + "x*150", o -> new TarBuilder(TarArchiveOutputStream.LONGFILE_GNU).file("../" + longTail, "pwn")),
                inside("absolute name /abs", o -> new TarBuilder().file("/abs", "in"),
                        (r, o) -> assertFile(r.resolve("abs"), "in")),
                inside("absolute name OUT/secret lands under root", o -> new TarBuilder().file(o + "/secret", "in"),
                        (r, o) -> assertFile(r.resolve(o.substring(1)).resolve("secret"), "in")),
                inside("a/../b stays inside", o -> new TarBuilder().dir("a").file("a/../b", "in"),
                        (r, o) -> assertFile(r.resolve("b"), "in")),

                // ---- symlinks in the parent path, planted by this layer
                refused("symlink link -> OUT, then file link/pwn", o -> new TarBuilder().symlink("link", o).file("link/pwn", "pwn")),
                inside("symlink link -> OUT with OUT mirrored in the root", o -> new TarBuilder().dir(o.substring(1)).symlink("link", o).file("link/pwn", "in"),
                        (r, o) -> assertFile(r.resolve(o.substring(1)).resolve("pwn"), "in")),
                inside("symlink link -> ../../../.., then file link/pwn", o -> new TarBuilder().symlink("link", "../../../..").file("link/pwn", "in"),
                        (r, o) -> assertFile(r.resolve("pwn"), "in")),
                inside("symlink link -> .., then file link/pwn", o -> new TarBuilder().symlink("link", "..").file("link/pwn", "in"),
                        (r, o) -> assertFile(r.resolve("pwn"), "in")),
                inside("symlink link -> /, then file link/pwn", o -> new TarBuilder().symlink("link", "/").file("link/pwn", "in"),
                        (r, o) -> assertFile(r.resolve("pwn"), "in")),
                refused("symlink link -> ../outside, then file link/pwn", o -> new TarBuilder().symlink("link", "../outside").file("link/pwn", "pwn")),
                inside("symlink chain a -> b -> ../.., then a/pwn", o -> new TarBuilder().symlink("a", "b").symlink("b", "../..").file("a/pwn", "in"),
                        (r, o) -> assertFile(r.resolve("pwn"), "in")),
                inside("nested d/l -> /, then d/l/pwn", o -> new TarBuilder().dir("d").symlink("d/l", "/").file("d/l/pwn", "in"),
                        (r, o) -> assertFile(r.resolve("pwn"), "in")),
                inside("deep a/b/c -> ../../../../../../.., then a/b/c/pwn", o -> new TarBuilder().dir("a/b").symlink("a/b/c", "../../../../../../..").file("a/b/c/pwn", "in"),
                        (r, o) -> assertFile(r.resolve("pwn"), "in")),
                refused("symlink loop l1 <-> l2, then l1/x", o -> new TarBuilder().symlink("l1", "l2").symlink("l2", "l1").file("l1/x", "pwn")),
                refused("symlink p -> /proc/self/root, then p/x", o -> new TarBuilder().symlink("p", "/proc/self/root").file("p/x", "pwn")),
                inside("dir entry through link -> ../../..", o -> new TarBuilder().symlink("link", "../../..").dir("link/sub", 0777, e -> {}),
                        (r, o) -> assertThat(SafeLayerApplierTest.stat(r.resolve("sub")).permissions()).isEqualTo(0777)),
                inside("char device through link -> /", o -> new TarBuilder().symlink("l", "/").charDevice("l/null", 1, 3),
                        (r, o) -> assertThat(SafeLayerApplierTest.stat(r.resolve("null")).isCharDevice()).isTrue()),
                refused("symlink with an empty target", o -> new TarBuilder().symlink("s", "")),
                refused("file under a regular file f/x", o -> new TarBuilder().file("f", "f").file("f/x", "pwn")),

                // ---- symlinks planted by an earlier layer
                inside("earlier layer link -> ../../.., then link/pwn", WhiteoutMode.DELETE,
                        o -> new TarBuilder().symlink("link", "../../.."), o -> new TarBuilder().file("link/pwn", "in"),
                        (r, o) -> assertFile(r.resolve("pwn"), "in")),
                refused("earlier layer etc -> OUT, then etc/passwd", WhiteoutMode.DELETE,
                        o -> new TarBuilder().symlink("etc", o), o -> new TarBuilder().file("etc/passwd", "pwn")),
                inside("earlier layer etc -> OUT, then dir etc replaces the link", WhiteoutMode.DELETE,
                        o -> new TarBuilder().symlink("etc", o), o -> new TarBuilder().dir("etc", 0777, e -> {}).file("etc/passwd", "in"),
                        (r, o) -> assertFile(r.resolve("etc/passwd"), "in")),

                // ---- the final component is a symlink: it is replaced, never followed
                inside("file f over f -> OUT/secret", o -> new TarBuilder().symlink("f", o + "/secret").file("f", "in"),
                        (r, o) -> assertFile(r.resolve("f"), "in")),
                inside("file f over earlier layer's f -> OUT/secret", WhiteoutMode.DELETE,
                        o -> new TarBuilder().symlink("f", o + "/secret"), o -> new TarBuilder().file("f", "in"),
                        (r, o) -> assertFile(r.resolve("f"), "in")),
                inside("dir d (0777) over d -> OUT", o -> new TarBuilder().symlink("d", o).dir("d", 0777, e -> {}),
                        (r, o) -> assertThat(SafeLayerApplierTest.stat(r.resolve("d")).isDirectory()).isTrue()),
                inside("dir d/. over d -> OUT", o -> new TarBuilder().symlink("d", o).dir("d/.", 0700, e -> {}),
                        (r, o) -> assertThat(SafeLayerApplierTest.stat(r.resolve("d")).isDirectory()).isTrue()),
                inside("fifo p over p -> OUT/secret", o -> new TarBuilder().symlink("p", o + "/secret").fifo("p"),
                        (r, o) -> assertThat(SafeLayerApplierTest.stat(r.resolve("p")).type()).isEqualTo(Syscalls.S_IFIFO)),
                inside("char device over c -> OUT/secret", o -> new TarBuilder().symlink("c", o + "/secret").charDevice("c", 1, 5),
                        (r, o) -> assertThat(SafeLayerApplierTest.stat(r.resolve("c")).isCharDevice()).isTrue()),
                inside("symlink s over s -> OUT, owned by 1234", o -> new TarBuilder().symlink("s", o).symlink("s", "/inside", e -> e.setUserId(1234)),
                        (r, o) -> {
                            assertThat(Files.readSymbolicLink(r.resolve("s")).toString()).isEqualTo("/inside");
                            assertThat(SafeLayerApplierTest.stat(r.resolve("s")).uid()).isEqualTo(1234);
                        }),
                inside("hardlink s -> good over s -> OUT/secret", o -> new TarBuilder().file("good", "g").symlink("s", o + "/secret").hardlink("s", "good"),
                        (r, o) -> assertThat(SafeLayerApplierTest.stat(r.resolve("s")).ino()).isEqualTo(SafeLayerApplierTest.stat(r.resolve("good")).ino())),
                inside("xattr on symlink s -> OUT/secret stays on the link", o -> new TarBuilder()
                                .symlink("s", o + "/secret", e -> e.addPaxHeader("SCHILY.xattr.user.pwn", "1")),
                        (r, o) -> assertThat(SafeLayerApplierTest.stat(r.resolve("s")).isSymlink()).isTrue()),
                inside("xattr on file replacing s -> OUT/secret", o -> new TarBuilder().symlink("s", o + "/secret")
                                .file("s", "in".getBytes(), 0644, e -> e.addPaxHeader("SCHILY.xattr.user.pwn", "1")),
                        (r, o) -> assertThat(Syscalls.lgetxattr(r.resolve("s").toString(), "user.pwn")).isEqualTo("1".getBytes())),

                // ---- hardlinks
                refused("hardlink to ../outside/secret", o -> new TarBuilder().hardlink("hl", "../outside/secret")),
                refused("hardlink to OUT/secret (absolute)", o -> new TarBuilder().hardlink("hl", o + "/secret")),
                refused("hardlink to l/secret with l -> OUT", o -> new TarBuilder().symlink("l", o).hardlink("hl", "l/secret")),
                refused("hardlink to l/secret with l -> ../outside", o -> new TarBuilder().symlink("l", "../outside").hardlink("hl", "l/secret")),
                refused("hardlink to a directory", o -> new TarBuilder().dir("d").hardlink("hl", "d")),
                refused("hardlink to the root", o -> new TarBuilder().hardlink("hl", "./")),
                refused("hardlink via PAX linkpath ../" + "x*150", o -> new TarBuilder().file("f", "f").hardlink("hl", "../" + longTail)),
                inside("hardlink hl (0777) to s -> OUT/secret links the symlink, chmods nothing", o -> new TarBuilder()
                                .symlink("s", o + "/secret").hardlink("hl", "s"),
                        (r, o) -> assertThat(SafeLayerApplierTest.stat(r.resolve("hl")).isSymlink()).isTrue()),
                inside("file b over earlier hardlink b -> a leaves a alone", WhiteoutMode.DELETE,
                        o -> new TarBuilder().file("a", "old").hardlink("b", "a"), o -> new TarBuilder().file("b", "new"),
                        (r, o) -> assertFile(r.resolve("a"), "old")),

                // ---- whiteouts
                refused("whiteout .wh... names ..", o -> new TarBuilder().file(".wh...", "")),
                refused("whiteout ../.wh.outside", o -> new TarBuilder().file("../.wh.outside", "")),
                inside("whiteout l/.wh.secret with l -> OUT", o -> new TarBuilder().symlink("l", o).whiteout("l/secret"),
                        (r, o) -> assertThat(Files.isSymbolicLink(r.resolve("l"))).isTrue()),
                inside("whiteout l/.wh.secret with l -> ../outside", o -> new TarBuilder().symlink("l", "../outside").whiteout("l/secret"),
                        (r, o) -> assertThat(Files.isSymbolicLink(r.resolve("l"))).isTrue()),
                inside("whiteout l/.wh.dir with l -> OUT (a directory outside)", o -> new TarBuilder().symlink("l", o).whiteout("l/dir"),
                        (r, o) -> assertThat(Files.isSymbolicLink(r.resolve("l"))).isTrue()),
                inside("opaque l/.wh..wh..opq with l -> OUT", o -> new TarBuilder().symlink("l", o).opaque("l"),
                        (r, o) -> assertThat(Files.isSymbolicLink(r.resolve("l"))).isTrue()),
                refused("overlay: opaque l/.wh..wh..opq with l -> OUT", WhiteoutMode.OVERLAY,
                        o -> new TarBuilder().symlink("l", o), o -> new TarBuilder().opaque("l")),
                refused("overlay: whiteout l/.wh.secret with l -> OUT", WhiteoutMode.OVERLAY,
                        o -> new TarBuilder().symlink("l", o), o -> new TarBuilder().whiteout("l/secret")),
                inside("whiteout .wh.l removes the link l -> OUT itself", WhiteoutMode.DELETE,
                        o -> new TarBuilder().symlink("l", o), o -> new TarBuilder().whiteout("l"),
                        (r, o) -> assertThat(Files.exists(r.resolve("l"), LinkOption.NOFOLLOW_LINKS)).isFalse()),
                inside("whiteout .wh.d removes d holding d/l -> OUT without following", WhiteoutMode.DELETE,
                        o -> new TarBuilder().dir("d").symlink("d/l", o).symlink("d/m", "../../outside/dir"), o -> new TarBuilder().whiteout("d"),
                        (r, o) -> assertThat(r.resolve("d")).doesNotExist()),
                inside("opaque d/.wh..wh..opq empties d holding d/l -> OUT", WhiteoutMode.DELETE,
                        o -> new TarBuilder().dir("d").symlink("d/l", o).dir("d/sub").symlink("d/sub/m", o + "/dir"),
                        o -> new TarBuilder().dir("d").dir("d/sub").opaque("d"),
                        (r, o) -> {
                            assertThat(Files.exists(r.resolve("d/l"), LinkOption.NOFOLLOW_LINKS)).isFalse();
                            assertThat(Files.exists(r.resolve("d/sub/m"), LinkOption.NOFOLLOW_LINKS)).isFalse();
                        }),
                inside("overlay: whiteout .wh.l over l -> OUT/secret", WhiteoutMode.OVERLAY,
                        o -> new TarBuilder().symlink("l", o + "/secret"), o -> new TarBuilder().whiteout("l"),
                        (r, o) -> assertThat(SafeLayerApplierTest.stat(r.resolve("l")).isCharDevice()).isTrue()),
                inside("overlay: opaque through link -> /", WhiteoutMode.OVERLAY,
                        o -> new TarBuilder().dir("real").symlink("link", "/real"), o -> new TarBuilder().opaque("link"),
                        (r, o) -> assertThat(Syscalls.lgetxattr(r.resolve("real").toString(), "trusted.overlay.opaque")).isEqualTo("y".getBytes())),
                inside("file d over dir d holding d/l -> OUT", WhiteoutMode.DELETE,
                        o -> new TarBuilder().dir("d").symlink("d/l", o).file("d/f", "x"), o -> new TarBuilder().file("d", "in"),
                        (r, o) -> assertFile(r.resolve("d"), "in"))
        );
    }

    /** Every row twice: resolving with openat2, and with the user-space walk used where openat2 is missing. */
    static Stream<Arguments> rows() {
        return cases().flatMap(c -> Stream.of(Arguments.of(c, "openat2"), Arguments.of(c, "walk")));
    }

    @ParameterizedTest(name = "{0} [{1}]")
    @MethodSource("rows")
    void hostileLayer(Case c, String resolver) throws Exception {
        SafeLayerApplier applier = new SafeLayerApplier(resolver.equals("walk"));
        Path outside = plantSentinels();
        Path root = Files.createDirectory(tmp.resolve("root"));
        String out = outside.toString();
        String before = digestOutsideRoot();

        for (Layer lower : c.lower()) {
            applier.apply(new ByteArrayInputStream(lower.build(out).build()), root, c.mode());
        }
        byte[] layer = c.layer().build(out).build();
        if (c.outcome() == Outcome.REFUSED) {
            assertThatThrownBy(() -> applier.apply(new ByteArrayInputStream(layer), root, c.mode()))
                    .isInstanceOf(BerthException.class)
                    .hasMessageStartingWith("applying layer: entry ")
                    .satisfies(e -> assertThat(((BerthException) e).kind()).isEqualTo(BerthException.Kind.INVALID_ARGUMENT));
        } else {
            try {
                applier.apply(new ByteArrayInputStream(layer), root, c.mode());
            } catch (BerthException e) {
                fail("expected the layer to apply inside the root, got: " + e.getMessage(), e);
            }
            c.check().verify(root, out);
        }
        assertThat(digestOutsideRoot()).as("everything outside the root").isEqualTo(before);
    }

    /** tmp/outside/{secret, dir/inner, link -> secret} and tmp/sibling, with an xattr on secret. */
    private Path plantSentinels() throws IOException {
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Path secret = Files.writeString(outside.resolve("secret"), "secret");
        Syscalls.lsetxattr(secret.toString(), "user.sentinel", "1".getBytes(), 0);
        Files.createDirectory(outside.resolve("dir"));
        Files.writeString(outside.resolve("dir/inner"), "inner");
        Files.createSymbolicLink(outside.resolve("link"), Path.of("secret"));
        Files.writeString(tmp.resolve("sibling"), "sibling");
        return outside;
    }

    /** A digest of everything under tmp except root/, as the file system reports it (no links followed). */
    private String digestOutsideRoot() throws IOException, NoSuchAlgorithmException {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(tmp)) {
            paths = walk.filter(p -> !p.startsWith(tmp.resolve("root"))).sorted().toList();
        }
        for (Path p : paths) {
            Stat st = SafeLayerApplierTest.stat(p);
            StringBuilder line = new StringBuilder(tmp.relativize(p).toString())
                    .append(' ').append(Integer.toOctalString(st.mode()))
                    .append(' ').append(st.uid()).append(':').append(st.gid())
                    .append(" n").append(st.nlink()).append(" s").append(st.size())
                    .append(" m").append(st.mtimeSec()).append('.').append(st.mtimeNsec());
            if (st.isRegular()) line.append(" c").append(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            if (st.isSymlink()) line.append(" -> ").append(Files.readSymbolicLink(p));
            for (String x : new String[]{"user.sentinel", "user.pwn", "trusted.overlay.opaque"}) {
                byte[] v = Syscalls.lgetxattr(p.toString(), x);
                if (v != null) line.append(' ').append(x).append('=').append(HexFormat.of().formatHex(v));
            }
            md.update(line.append('\n').toString().getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(md.digest()) + " over " + paths.size() + " paths";
    }

    private static void assertFile(Path p, String content) throws IOException {
        assertThat(SafeLayerApplierTest.stat(p).isRegular()).as("%s is a regular file", p).isTrue();
        assertThat(Files.readString(p)).isEqualTo(content);
    }
}
