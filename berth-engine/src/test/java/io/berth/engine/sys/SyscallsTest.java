package io.berth.engine.sys;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.berth.engine.sys.Syscalls.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SyscallsTest {
    @TempDir Path tmp;

    private Fd openDir(Path p) throws ErrnoException {
        return Syscalls.open(p.toString(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    }

    @Test
    void openat2InRootClampsAbsoluteAndDotDotSymlinks() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.createDirectories(root.resolve("etc"));
        Files.createDirectories(tmp.resolve("etc"));
        Files.createSymbolicLink(root.resolve("abs"), Path.of("/etc"));
        Files.createSymbolicLink(root.resolve("up"), Path.of("../../../etc"));
        try (Fd r = openDir(root)) {
            for (String path : new String[]{"abs", "up", "/etc", "../../etc"}) {
                try (Fd fd = Syscalls.openat2(r.fd(), path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, RESOLVE_IN_ROOT)) {
                    assertThat(Syscalls.fstat(fd.fd()).ino()).as(path).isEqualTo(stat(root.resolve("etc")).ino());
                }
            }
            // without the restriction the same link leaves
            try (Fd fd = Syscalls.openat2(r.fd(), "abs", O_PATH | O_DIRECTORY | O_CLOEXEC, 0, 0)) {
                assertThat(Syscalls.fstat(fd.fd()).ino()).isEqualTo(stat(Path.of("/etc")).ino());
            }
            assertThatThrownBy(() -> Syscalls.openat2(r.fd(), "missing/x", O_PATH, 0, RESOLVE_IN_ROOT))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> {
                        assertThat(e.errno()).isEqualTo(ENOENT);
                        assertThat(e.call()).isEqualTo("openat2");
                        assertThat(e.getMessage()).contains("missing/x").contains("No such file or directory");
                    });
        }
    }

    @Test
    void magicLinksAreRefused() throws IOException {
        try (Fd r = openDir(Path.of("/"))) {
            assertThatThrownBy(() -> Syscalls.openat2(r.fd(), "proc/self/root", O_PATH, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(ELOOP));
        }
    }

    @Test
    void createInspectAndRemoveRelativeToADirectory() throws IOException {
        try (Fd d = openDir(tmp); Arena arena = Arena.ofConfined()) {
            Syscalls.mkdirat(d.fd(), "sub", 0750);
            try (Fd f = Syscalls.openat(d.fd(), "sub/file", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) {
                MemorySegment data = arena.allocateFrom("hello");
                Syscalls.writeFully(f.fd(), data, 5);
                Syscalls.fchown(f.fd(), 1000, 1001);
                Syscalls.fchmod(f.fd(), 04711);
                Syscalls.futimens(f.fd(), 100, 0, 200, 5);
                Syscalls.fsetxattr(f.fd(), "user.k", new byte[]{0, (byte) 0xff}, 0);
                assertThat(Syscalls.fgetxattr(f.fd(), "user.k")).containsExactly(0, 0xff);
                assertThat(Syscalls.fgetxattr(f.fd(), "user.none")).isNull();
            }
            Stat st = Syscalls.statx(d.fd(), "sub/file", AT_SYMLINK_NOFOLLOW);
            assertThat(st.isRegular()).isTrue();
            assertThat(st.permissions()).isEqualTo(04711);
            assertThat(st.uid()).isEqualTo(1000);
            assertThat(st.gid()).isEqualTo(1001);
            assertThat(st.size()).isEqualTo(5);
            assertThat(st.mtimeSec()).isEqualTo(200);
            assertThat(st.mtimeNsec()).isEqualTo(5);
            assertThat(Files.readString(tmp.resolve("sub/file"))).isEqualTo("hello");

            Syscalls.symlinkat("/nowhere", d.fd(), "link");
            Syscalls.fchownat(d.fd(), "link", 7, 8, AT_SYMLINK_NOFOLLOW);
            Syscalls.utimensat(d.fd(), "link", 1, 0, 2, 0, AT_SYMLINK_NOFOLLOW);
            Stat link = Syscalls.statx(d.fd(), "link", AT_SYMLINK_NOFOLLOW);
            assertThat(link.isSymlink()).isTrue();
            assertThat(link.uid()).isEqualTo(7);
            assertThat(link.mtimeSec()).isEqualTo(2);
            assertThat(Syscalls.readlinkat(d.fd(), "link")).isEqualTo("/nowhere");
            // chmod never reaches through a symlink
            assertThatThrownBy(() -> Syscalls.fchmodat(d.fd(), "link", 0777, AT_SYMLINK_NOFOLLOW)).isInstanceOf(ErrnoException.class);

            Syscalls.linkat(d.fd(), "sub/file", d.fd(), "hard", 0);
            assertThat(Syscalls.statx(d.fd(), "hard", 0).nlink()).isEqualTo(2);
            Syscalls.mknodat(d.fd(), "null", S_IFCHR | 0666, Syscalls.makedev(1, 3));
            Syscalls.mknodat(d.fd(), "fifo", S_IFIFO | 0600, 0);
            Stat nul = Syscalls.statx(d.fd(), "null", AT_SYMLINK_NOFOLLOW);
            assertThat(nul.isCharDevice()).isTrue();
            assertThat(nul.rdevMajor()).isEqualTo(1);
            assertThat(nul.rdevMinor()).isEqualTo(3);
            Syscalls.renameat(d.fd(), "fifo", d.fd(), "sub/fifo");

            try (Fd list = Syscalls.openat(d.fd(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)) {
                List<String> names = Syscalls.readDir(list.fd()).stream().map(Syscalls.DirEntry::nameString).sorted().toList();
                assertThat(names).containsExactly("hard", "link", "null", "sub");
            }
            assertThatThrownBy(() -> Syscalls.unlinkat(d.fd(), "sub", 0))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(EISDIR));
            Syscalls.unlinkat(d.fd(), "sub/file", 0);
            Syscalls.unlinkat(d.fd(), "sub/fifo", 0);
            Syscalls.unlinkat(d.fd(), "sub", AT_REMOVEDIR);
            assertThat(tmp.resolve("sub")).doesNotExist();
        }
    }

    @Test
    void namesWithNulAreRefused() throws IOException {
        try (Fd d = openDir(tmp)) {
            assertThatThrownBy(() -> Syscalls.mkdirat(d.fd(), "a\0b", 0755)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void readDirHandlesLargeDirectories() throws IOException {
        for (int i = 0; i < 1500; i++) Files.writeString(tmp.resolve("file-with-a-longish-name-" + i), "");
        try (Fd d = Syscalls.open(tmp.toString(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
            List<Syscalls.DirEntry> entries = Syscalls.readDir(d.fd());
            assertThat(entries).hasSize(1500).allMatch(e -> e.type() == DT_REG);
        }
    }

    @Test
    void fdClosesOnce() throws IOException {
        Fd fd = openDir(tmp);
        int n = fd.fd();
        fd.close();
        fd.close();
        assertThat(fd.isOpen()).isFalse();
        assertThatThrownBy(fd::fd).isInstanceOf(IllegalStateException.class);
        assertThat(n).isNotNegative();
    }

    @Test
    void makedevMatchesGlibc() {
        assertThat(Syscalls.makedev(8, 1)).isEqualTo(0x801);
        // decoded the way glibc's major()/minor() do
        long dev = Syscalls.makedev(300, 70000);
        long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
        long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
        assertThat(major).isEqualTo(300);
        assertThat(minor).isEqualTo(70000);
    }

    private static Stat stat(Path p) throws ErrnoException {
        return Syscalls.statx(AT_FDCWD, p.toString(), AT_SYMLINK_NOFOLLOW);
    }
}
