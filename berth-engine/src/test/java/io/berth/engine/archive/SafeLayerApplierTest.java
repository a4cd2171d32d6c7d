package io.berth.engine.archive;

import io.berth.api.BerthException;
import io.berth.engine.sys.Stat;
import io.berth.engine.sys.Syscalls;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a layer turns into on disk, feature by feature. Runs as root (ownership, devices, trusted.* xattrs). */
class SafeLayerApplierTest {
    private final SafeLayerApplier applier = new SafeLayerApplier();

    @TempDir Path tmp;

    private Path root() throws IOException {
        return Files.createDirectories(tmp.resolve("root"));
    }

    private ApplyReport apply(Path root, TarBuilder tar, WhiteoutMode mode) throws IOException {
        return applier.apply(tar.stream(), root, mode);
    }

    static Stat stat(Path p) throws IOException {
        return Syscalls.statx(Syscalls.AT_FDCWD, p.toString(), Syscalls.AT_SYMLINK_NOFOLLOW);
    }

    @Test
    void regularFilesGetContentModeOwnerAndTime() throws IOException {
        Path root = root();
        byte[] big = new byte[3 * 128 * 1024 + 17];
        new Random(1).nextBytes(big);
        Instant mtime = Instant.parse("2020-01-02T03:04:05.1234567Z");
        ApplyReport report = apply(root, new TarBuilder()
                .file("etc/hosts", "127.0.0.1 localhost\n")
                .file("bin/tool", big, 0750, e -> { e.setUserId(1000); e.setGroupId(2000); e.setLastModifiedTime(FileTime.from(mtime)); })
                .file("empty", new byte[0], 0600, e -> {}), WhiteoutMode.OVERLAY);

        assertThat(report.entries()).isEqualTo(3);
        assertThat(report.bytes()).isGreaterThan(big.length).isEqualTo(report.bytes() / 512 * 512);
        assertThat(Files.readString(root.resolve("etc/hosts"))).isEqualTo("127.0.0.1 localhost\n");
        assertThat(Files.readAllBytes(root.resolve("bin/tool"))).isEqualTo(big);
        Stat tool = stat(root.resolve("bin/tool"));
        assertThat(tool.permissions()).isEqualTo(0750);
        assertThat(tool.uid()).isEqualTo(1000);
        assertThat(tool.gid()).isEqualTo(2000);
        assertThat(tool.mtimeSec()).isEqualTo(mtime.getEpochSecond());
        assertThat(tool.mtimeNsec()).isEqualTo(mtime.getNano()); // PAX sub-second time survives
        assertThat(stat(root.resolve("empty")).size()).isZero();
        assertThat(stat(root.resolve("empty")).permissions()).isEqualTo(0600);
    }

    @Test
    void setuidSetgidAndStickySurviveChown() throws IOException {
        Path root = root();
        apply(root, new TarBuilder()
                .file("usr/bin/su", "elf".getBytes(), 04755, e -> { e.setUserId(0); e.setGroupId(0); })
                .file("usr/bin/wall", "elf".getBytes(), 02755, e -> { e.setUserId(1); e.setGroupId(5); })
                .file("usr/bin/mine", "elf".getBytes(), 06711, e -> { e.setUserId(1234); e.setGroupId(1234); })
                .dir("tmp", 01777, e -> {})
                .dir("shared", 02775, e -> e.setGroupId(100)), WhiteoutMode.OVERLAY);

        assertThat(stat(root.resolve("usr/bin/su")).permissions()).isEqualTo(04755);
        assertThat(stat(root.resolve("usr/bin/wall")).permissions()).isEqualTo(02755);
        Stat mine = stat(root.resolve("usr/bin/mine"));
        assertThat(mine.permissions()).isEqualTo(06711);
        assertThat(mine.uid()).isEqualTo(1234);
        assertThat(stat(root.resolve("tmp")).permissions()).isEqualTo(01777);
        assertThat(stat(root.resolve("shared")).permissions()).isEqualTo(02775);
        assertThat(stat(root.resolve("shared")).gid()).isEqualTo(100);
    }

    @Test
    void ownersAndModesInsideASetgidDirectoryAreTheTarsNotInherited() throws IOException {
        Path root = root();
        apply(root, new TarBuilder()
                .dir("shared", 02775, e -> e.setGroupId(100))
                .file("shared/root-file", "r".getBytes(), 0644, e -> {})
                .dir("shared/sub", 0755, e -> {})
                .symlink("shared/link", "root-file"), WhiteoutMode.OVERLAY);

        for (String p : new String[]{"shared/root-file", "shared/sub", "shared/link"}) {
            assertThat(stat(root.resolve(p)).gid()).as(p).isZero();
        }
        assertThat(stat(root.resolve("shared/sub")).permissions()).isEqualTo(0755); // no inherited setgid bit
        assertThat(stat(root.resolve("shared/root-file")).permissions()).isEqualTo(0644);
    }

    @Test
    void directoryTimesAreSetAfterTheirContent() throws IOException {
        Path root = root();
        Instant dirTime = Instant.parse("2019-05-05T05:05:05Z");
        apply(root, new TarBuilder()
                .dir("a", 0755, e -> e.setLastModifiedTime(FileTime.from(dirTime)))
                .dir("a/b", 0700, e -> { e.setLastModifiedTime(FileTime.from(dirTime)); e.setUserId(7); })
                .file("a/b/c", "x")
                .file("a/d", "y"), WhiteoutMode.OVERLAY);

        assertThat(stat(root.resolve("a")).mtimeSec()).isEqualTo(dirTime.getEpochSecond());
        assertThat(stat(root.resolve("a/b")).mtimeSec()).isEqualTo(dirTime.getEpochSecond());
        assertThat(stat(root.resolve("a/b")).uid()).isEqualTo(7);
        assertThat(stat(root.resolve("a/b")).permissions()).isEqualTo(0700);
    }

    @Test
    void missingParentsAreCreated0755() throws IOException {
        Path root = root();
        apply(root, new TarBuilder().file("x/y/z/file", "deep"), WhiteoutMode.OVERLAY);
        assertThat(Files.readString(root.resolve("x/y/z/file"))).isEqualTo("deep");
        for (String d : new String[]{"x", "x/y", "x/y/z"}) {
            assertThat(stat(root.resolve(d)).isDirectory()).isTrue();
            assertThat(stat(root.resolve(d)).permissions()).isEqualTo(0755);
        }
    }

    @Test
    void symlinksAreCreatedNotFollowedWithOwnerAndTime() throws IOException {
        Path root = root();
        Instant t = Instant.parse("2018-08-08T08:08:08Z");
        apply(root, new TarBuilder()
                .symlink("bin", "usr/bin", e -> { e.setUserId(5); e.setGroupId(6); e.setLastModifiedTime(FileTime.from(t)); })
                .symlink("abs", "/etc/passwd")
                .symlink("dangling", "../../nowhere"), WhiteoutMode.OVERLAY);

        assertThat(Files.readSymbolicLink(root.resolve("bin")).toString()).isEqualTo("usr/bin");
        assertThat(Files.readSymbolicLink(root.resolve("abs")).toString()).isEqualTo("/etc/passwd");
        assertThat(Files.readSymbolicLink(root.resolve("dangling")).toString()).isEqualTo("../../nowhere");
        Stat bin = stat(root.resolve("bin"));
        assertThat(bin.isSymlink()).isTrue();
        assertThat(bin.uid()).isEqualTo(5);
        assertThat(bin.gid()).isEqualTo(6);
        assertThat(bin.mtimeSec()).isEqualTo(t.getEpochSecond());
    }

    @Test
    void hardlinksShareTheInode() throws IOException {
        Path root = root();
        apply(root, new TarBuilder()
                .file("usr/bin/perl", "#!perl".getBytes(), 0755, e -> {})
                .hardlink("usr/bin/perl5.36", "usr/bin/perl")
                .hardlink("/perl-abs", "/usr/bin/perl")
                .symlink("ln", "usr/bin/perl")
                .hardlink("ln2", "ln"), WhiteoutMode.OVERLAY);

        Stat perl = stat(root.resolve("usr/bin/perl"));
        assertThat(stat(root.resolve("usr/bin/perl5.36")).ino()).isEqualTo(perl.ino());
        assertThat(stat(root.resolve("perl-abs")).ino()).isEqualTo(perl.ino());
        assertThat(perl.nlink()).isEqualTo(3);
        // a hardlink to a symlink links the symlink itself
        assertThat(stat(root.resolve("ln2")).isSymlink()).isTrue();
        assertThat(stat(root.resolve("ln2")).ino()).isEqualTo(stat(root.resolve("ln")).ino());
    }

    @Test
    void hardlinkToMissingOrDirectoryIsRefused() throws IOException {
        Path root = root();
        assertThatThrownBy(() -> apply(root, new TarBuilder().hardlink("a", "missing"), WhiteoutMode.OVERLAY))
                .isInstanceOf(BerthException.class).hasMessageContaining("entry a").hasMessageContaining("missing");
        assertThatThrownBy(() -> apply(root, new TarBuilder().dir("d").hardlink("b", "d"), WhiteoutMode.OVERLAY))
                .isInstanceOf(BerthException.class).hasMessageContaining("is a directory");
    }

    @Test
    void devicesAndFifos() throws IOException {
        Path root = root();
        apply(root, new TarBuilder()
                .charDevice("dev/null", 1, 3)
                .blockDevice("dev/sda", 8, 0)
                .charDevice("dev/big", 300, 70000)
                .fifo("run/fifo"), WhiteoutMode.OVERLAY);

        Stat nul = stat(root.resolve("dev/null"));
        assertThat(nul.isCharDevice()).isTrue();
        assertThat(nul.rdevMajor()).isEqualTo(1);
        assertThat(nul.rdevMinor()).isEqualTo(3);
        assertThat(nul.permissions()).isEqualTo(0666);
        Stat sda = stat(root.resolve("dev/sda"));
        assertThat(sda.type()).isEqualTo(Syscalls.S_IFBLK);
        assertThat(sda.rdevMajor()).isEqualTo(8);
        assertThat(sda.permissions()).isEqualTo(0660);
        Stat big = stat(root.resolve("dev/big"));
        assertThat(big.rdevMajor()).isEqualTo(300);
        assertThat(big.rdevMinor()).isEqualTo(70000);
        assertThat(stat(root.resolve("run/fifo")).type()).isEqualTo(Syscalls.S_IFIFO);
    }

    @Test
    void textXattrsAreSetOnFilesDirsAndSymlinks() throws IOException {
        Path root = root();
        apply(root, new TarBuilder()
                .file("f", "x".getBytes(), 0644, e -> e.addPaxHeader("SCHILY.xattr.user.mime", "text/plain"))
                .dir("d", 0755, e -> e.addPaxHeader("SCHILY.xattr.trusted.note", "kept"))
                .file("o", "x".getBytes(), 0644, e -> e.addPaxHeader("SCHILY.xattr.trusted.overlay.redirect", "/etc"))
                .symlink("s", "f", e -> e.addPaxHeader("SCHILY.xattr.trusted.link", "on-link")), WhiteoutMode.DELETE);

        assertThat(Syscalls.lgetxattr(root.resolve("f").toString(), "user.mime")).isEqualTo("text/plain".getBytes());
        assertThat(Syscalls.lgetxattr(root.resolve("d").toString(), "trusted.note")).isEqualTo("kept".getBytes());
        // overlayfs' own namespace is never taken from a layer
        assertThat(Syscalls.lgetxattr(root.resolve("o").toString(), "trusted.overlay.redirect")).isNull();
        assertThat(Syscalls.lgetxattr(root.resolve("s").toString(), "trusted.link")).isEqualTo("on-link".getBytes());
        assertThat(Syscalls.lgetxattr(root.resolve("f").toString(), "trusted.link")).isNull();
    }

    @Test
    void binarySecurityCapabilitySurvivesExactlyAndAfterChown() throws IOException {
        Path root = root();
        // vfs_cap_data revision 2, effective, permitted = CAP_SETUID(7) | CAP_NET_RAW(13): bytes 0x80, 0x20
        byte[] cap = {0x01, 0x00, 0x00, 0x02, (byte) 0x80, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        Map<String, byte[]> pax = new LinkedHashMap<>();
        pax.put("SCHILY.xattr.security.capability", cap);
        pax.put("SCHILY.xattr.user.bin", new byte[]{(byte) 0xff, 0, (byte) 0xfe, '\n', '='});
        pax.put("path", "bin/ping".getBytes());
        byte[] tar = TarBuilder.rawPaxFile("ping-short", pax, "ELF".getBytes(), 04755);

        applier.apply(new ByteArrayInputStream(tar), root, WhiteoutMode.OVERLAY);

        Path ping = root.resolve("bin/ping");
        assertThat(Files.readString(ping)).isEqualTo("ELF");
        assertThat(Syscalls.lgetxattr(ping.toString(), "security.capability")).isEqualTo(cap);
        assertThat(Syscalls.lgetxattr(ping.toString(), "user.bin")).isEqualTo(new byte[]{(byte) 0xff, 0, (byte) 0xfe, '\n', '='});
        assertThat(stat(ping).permissions()).isEqualTo(04755);
    }

    @Test
    void libarchiveXattrsAreDecoded() {
        Map<String, byte[]> x = PaxTarInputStream.parseXattrs(
                "42 LIBARCHIVE.xattr.user.a%20b+c=AAH/YQ==\n30 SCHILY.xattr.user.plain=ok\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(x).containsOnlyKeys("user.a b+c", "user.plain");
        assertThat(x.get("user.a b+c")).isEqualTo(new byte[]{0, 1, (byte) 0xff, 'a'});
        assertThat(x.get("user.plain")).isEqualTo("ok".getBytes());
    }

    @Test
    void longAndUtf8Names() throws IOException {
        Path root = root();
        String longDir = "d".repeat(120) + "/" + "e".repeat(200);
        String longName = longDir + "/" + "f".repeat(250);
        String utf8 = "héllo/wörld/日本語-ファイル.txt";
        apply(root, new TarBuilder()
                .file(longName, "long")
                .file(utf8, "utf8")
                .symlink("link-" + "l".repeat(150), "target/" + "t".repeat(200))
                .hardlink("hl-ü", utf8), WhiteoutMode.OVERLAY);

        assertThat(Files.readString(root.resolve(longName))).isEqualTo("long");
        assertThat(Files.readString(root.resolve(utf8))).isEqualTo("utf8");
        assertThat(Files.readSymbolicLink(root.resolve("link-" + "l".repeat(150))).toString()).isEqualTo("target/" + "t".repeat(200));
        assertThat(stat(root.resolve("hl-ü")).ino()).isEqualTo(stat(root.resolve(utf8)).ino());
    }

    @Test
    void gnuLongNamesToo() throws IOException {
        Path root = root();
        String longName = "g".repeat(150) + "/" + "h".repeat(150);
        apply(root, new TarBuilder(TarArchiveOutputStream.LONGFILE_GNU).file(longName, "gnu"), WhiteoutMode.OVERLAY);
        assertThat(Files.readString(root.resolve(longName))).isEqualTo("gnu");
    }

    @Test
    void replacingEntriesOfADifferentType() throws IOException {
        Path root = root();
        apply(root, new TarBuilder()
                .file("was-file", "f")
                .dir("was-dir").file("was-dir/child", "c").dir("was-dir/sub").file("was-dir/sub/deep", "d")
                .symlink("was-link", "/etc")
                .dir("stays-dir").file("stays-dir/old", "o"), WhiteoutMode.DELETE);
        apply(root, new TarBuilder()
                .dir("was-file", 0711, e -> {})
                .file("was-dir", "now a file")
                .dir("was-link")
                .dir("stays-dir", 0700, e -> {}).file("stays-dir/new", "n"), WhiteoutMode.DELETE);

        assertThat(stat(root.resolve("was-file")).isDirectory()).isTrue();
        assertThat(stat(root.resolve("was-file")).permissions()).isEqualTo(0711);
        assertThat(Files.readString(root.resolve("was-dir"))).isEqualTo("now a file");
        assertThat(stat(root.resolve("was-link")).isDirectory()).isTrue();
        // directory over directory merges, taking the new metadata
        assertThat(root.resolve("stays-dir/old")).exists();
        assertThat(root.resolve("stays-dir/new")).exists();
        assertThat(stat(root.resolve("stays-dir")).permissions()).isEqualTo(0700);
    }

    @Test
    void fileOverHardlinkDoesNotWriteThroughToTheOtherName() throws IOException {
        Path root = root();
        apply(root, new TarBuilder().file("a", "old").hardlink("b", "a"), WhiteoutMode.DELETE);
        apply(root, new TarBuilder().file("b", "new"), WhiteoutMode.DELETE);
        assertThat(Files.readString(root.resolve("a"))).isEqualTo("old");
        assertThat(Files.readString(root.resolve("b"))).isEqualTo("new");
    }

    // ---- whiteouts: overlay ------------------------------------------------------------------------

    @Test
    void overlayWhiteoutsBecomeCharDevicesAndOpaqueXattrs() throws IOException {
        Path root = root();
        apply(root, new TarBuilder()
                .dir("etc")
                .whiteout("etc/removed")
                .dir("var/cache")
                .opaque("var/cache")
                .file("var/cache/new", "n")
                .opaque(""), WhiteoutMode.OVERLAY);

        Stat wh = stat(root.resolve("etc/removed"));
        assertThat(wh.isCharDevice()).isTrue();
        assertThat(wh.rdevMajor()).isZero();
        assertThat(wh.rdevMinor()).isZero();
        assertThat(root.resolve("etc/.wh.removed")).doesNotExist();
        assertThat(Syscalls.lgetxattr(root.resolve("var/cache").toString(), "trusted.overlay.opaque")).isEqualTo("y".getBytes());
        assertThat(root.resolve("var/cache/.wh..wh..opq")).doesNotExist();
        assertThat(Files.readString(root.resolve("var/cache/new"))).isEqualTo("n");
        assertThat(Syscalls.lgetxattr(root.toString(), "trusted.overlay.opaque")).isEqualTo("y".getBytes());
    }

    @Test
    void overlayFileReplacedInTheSameLayer() throws IOException {
        Path root = root();
        // rm then recreate in one layer: the whiteout comes first, the new entry replaces it
        apply(root, new TarBuilder()
                .whiteout("app/config")
                .file("app/config", "new config")
                .whiteout("app/data")
                .dir("app/data")
                .file("app/data/x", "x"), WhiteoutMode.OVERLAY);
        assertThat(Files.readString(root.resolve("app/config"))).isEqualTo("new config");
        assertThat(stat(root.resolve("app/data")).isDirectory()).isTrue();

        // and in the other order a whiteout does not clobber what this layer wrote
        Path root2 = Files.createDirectories(tmp.resolve("root2"));
        apply(root2, new TarBuilder().file("keep", "mine").whiteout("keep"), WhiteoutMode.OVERLAY);
        assertThat(Files.readString(root2.resolve("keep"))).isEqualTo("mine");
    }

    // ---- whiteouts: delete --------------------------------------------------------------------------

    @Test
    void deleteWhiteoutsRemoveLowerFilesAndTrees() throws IOException {
        Path root = root();
        apply(root, new TarBuilder()
                .file("etc/a", "a").file("etc/b", "b")
                .dir("opt/tree").file("opt/tree/x", "x").dir("opt/tree/sub").file("opt/tree/sub/y", "y")
                .symlink("opt/link", "/etc"), WhiteoutMode.DELETE);
        apply(root, new TarBuilder()
                .whiteout("etc/a")
                .whiteout("opt/tree")
                .whiteout("opt/link")
                .whiteout("not/there/at/all"), WhiteoutMode.DELETE);

        assertThat(root.resolve("etc/a")).doesNotExist();
        assertThat(root.resolve("etc/.wh.a")).doesNotExist();
        assertThat(Files.readString(root.resolve("etc/b"))).isEqualTo("b");
        assertThat(root.resolve("opt/tree")).doesNotExist();
        assertThat(Files.exists(root.resolve("opt/link"), LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(root.resolve("not")).doesNotExist();
    }

    @Test
    void deleteOpaqueEmptiesLowerContentButKeepsThisLayers() throws IOException {
        Path root = root();
        apply(root, new TarBuilder()
                .dir("d").file("d/lower1", "1").dir("d/sub").file("d/sub/lower2", "2").file("d/keepname", "lower"),
                WhiteoutMode.DELETE);
        // containerd's ordering problem: entries of this layer may precede the opaque marker
        apply(root, new TarBuilder()
                .dir("d")
                .file("d/early", "written before the marker")
                .dir("d/sub")
                .file("d/sub/mine", "m")
                .opaque("d")
                .file("d/keepname", "upper")
                .file("d/late", "after"), WhiteoutMode.DELETE);

        try (var list = Files.list(root.resolve("d"))) {
            assertThat(list.map(p -> p.getFileName().toString()).sorted()).containsExactly("early", "keepname", "late", "sub");
        }
        try (var list = Files.list(root.resolve("d/sub"))) {
            assertThat(list.map(p -> p.getFileName().toString())).containsExactly("mine");
        }
        assertThat(Files.readString(root.resolve("d/keepname"))).isEqualTo("upper");
    }

    @Test
    void deleteWhiteoutKeepsWhatThisLayerWrote() throws IOException {
        Path root = root();
        apply(root, new TarBuilder().dir("x").file("x/old", "o"), WhiteoutMode.DELETE);
        apply(root, new TarBuilder()
                .file("same", "this layer")
                .whiteout("same")
                .dir("x").file("x/new", "n")
                .whiteout("x"), WhiteoutMode.DELETE);
        assertThat(Files.readString(root.resolve("same"))).isEqualTo("this layer");
        // x was written by this layer: only the lower content under it goes
        assertThat(root.resolve("x/new")).exists();
        assertThat(root.resolve("x/old")).doesNotExist();
    }

    @Test
    void auFsMetaEntriesAreSkipped() throws IOException {
        Path root = root();
        apply(root, new TarBuilder()
                .dir(".wh..wh.plnk")
                .file(".wh..wh.plnk/123.456", "x")
                .file(".wh..wh.aufs", ""), WhiteoutMode.DELETE);
        try (var list = Files.list(root)) {
            assertThat(list).isEmpty();
        }
    }

    @Test
    void rootEntryIsLeftAlone() throws IOException {
        Path root = root();
        Files.setPosixFilePermissions(root, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        apply(root, new TarBuilder().dir("./", 0777, e -> {}).dir("/", 0700, e -> {}).file("f", "f"), WhiteoutMode.OVERLAY);
        assertThat(stat(root).permissions()).isEqualTo(0755);
    }

    @Test
    void entriesOfUnknownTypeAreRefusedNamingThem() throws IOException {
        Path root = root();
        TarArchiveEntry odd = TarBuilder.entry("weird", (byte) 'V');
        assertThatThrownBy(() -> apply(root, new TarBuilder().add(odd, new byte[0]), WhiteoutMode.OVERLAY))
                .isInstanceOf(BerthException.class)
                .hasMessageContaining("weird")
                .extracting(e -> ((BerthException) e).kind()).isEqualTo(BerthException.Kind.INVALID_ARGUMENT);
    }

    @Test
    void trailingPaddingIsConsumedAndCounted() throws IOException {
        Path root = root();
        byte[] tar = new TarBuilder().file("a", "a").build();
        byte[] padded = Arrays.copyOf(tar, tar.length + 10240);
        ApplyReport r = applier.apply(new ByteArrayInputStream(padded), root, WhiteoutMode.OVERLAY);
        assertThat(r.bytes()).isEqualTo(padded.length);
        assertThat(r.entries()).isEqualTo(1);
    }

    @Test
    void manyFilesAcrossManyDirectories() throws IOException {
        Path root = root();
        TarBuilder tar = new TarBuilder();
        for (int d = 0; d < 80; d++) {
            tar.dir("dir" + d);
            for (int f = 0; f < 10; f++) tar.file("dir" + d + "/f" + f, "content " + d + "/" + f);
        }
        // revisit early directories after the dir cache has moved on
        for (int d = 0; d < 80; d += 7) tar.file("dir" + d + "/late", "late");
        ApplyReport r = apply(root, tar, WhiteoutMode.OVERLAY);
        assertThat(r.entries()).isEqualTo(80 + 800 + 12);
        assertThat(Files.readString(root.resolve("dir79/f9"))).isEqualTo("content 79/9");
        assertThat(Files.readString(root.resolve("dir77/late"))).isEqualTo("late");
    }
}
