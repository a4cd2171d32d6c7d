package io.berth.engine.oci;

import io.berth.api.BerthException;
import io.berth.spec.runtime.Process;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UserResolverTest {
    @TempDir Path tmp;
    Path root;

    static final String PASSWD = """
            root:x:0:0:root:/root:/bin/sh
            daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
            alice:x:1000:1000:Alice:/home/alice:/bin/sh
            # a comment
            broken line
            nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
            """;
    static final String GROUP = """
            root:x:0:
            wheel:x:10:root,alice
            audio:x:29:alice
            alice:x:1000:
            staff:x:50:
            nogroup:x:65534:
            """;

    @BeforeEach
    void rootfs() throws IOException {
        root = tmp.resolve("rootfs");
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), PASSWD);
        Files.writeString(root.resolve("etc/group"), GROUP);
    }

    private static List<Long> gids(String s) {
        return s.equals("-") ? null : Arrays.stream(s.split(" ")).map(Long::parseLong).toList();
    }

    @ParameterizedTest(name = "--user ''{0}'' --group-add ''{1}'' -> {2}:{3} +{4}")
    @CsvSource(delimiter = ';', value = {
            // user;        groupAdd;       uid;    gid;    additional gids
            "'';            '';             0;      0;      10",
            "root;          '';             0;      0;      10",
            "alice;         '';             1000;   1000;   10 29",
            "1000;          '';             1000;   1000;   10 29",
            "alice:staff;   '';             1000;   50;     -",
            "alice:50;      '';             1000;   50;     -",
            "1000:1000;     '';             1000;   1000;   -",
            // numeric ids not in the files are used as given, gid 0
            "4242;          '';             4242;   0;      -",
            "4242:4343;     '';             4242;   4343;   -",
            "nobody;        staff 77;       65534;  65534;  50 77",
            "alice;         audio wheel;    1000;   1000;   10 29",
    })
    void resolves(String user, String groupAdd, long uid, long gid, String extra) {
        Process.User u = UserResolver.resolve(root, user, groupAdd.isEmpty() ? null : List.of(groupAdd.split(" ")));
        assertThat(u.uid()).isEqualTo(uid);
        assertThat(u.gid()).isEqualTo(gid);
        assertThat(u.additionalGids()).isEqualTo(gids(extra));
    }

    @Test
    void unknownNamesAreDockersErrors() {
        assertThatThrownBy(() -> UserResolver.resolve(root, "nobody2", null))
                .isInstanceOf(BerthException.class)
                .hasMessage("unable to find user nobody2: no matching entries in passwd file");
        assertThatThrownBy(() -> UserResolver.resolve(root, "alice:nogroup2", null))
                .hasMessage("unable to find group nogroup2: no matching entries in group file");
        assertThatThrownBy(() -> UserResolver.resolve(root, "alice", List.of("video")))
                .hasMessage("unable to find group video: no matching entries in group file");
    }

    @Test
    void idsOutOfRangeAreRefused() {
        assertThatThrownBy(() -> UserResolver.resolve(root, "2147483648", null)).hasMessageContaining("range 0-2147483647");
    }

    @Test
    void imageWithoutEtcAcceptsNumericIdsOnly() throws IOException {
        Path bare = Files.createDirectories(tmp.resolve("scratch"));
        assertThat(UserResolver.resolve(bare, "1000:1000", List.of("5"))).isEqualTo(new Process.User(1000, 1000, null, List.of(5L), null));
        assertThat(UserResolver.resolve(bare, null, null)).isEqualTo(Process.User.root());
        assertThatThrownBy(() -> UserResolver.resolve(bare, "alice", null)).hasMessageContaining("unable to find user alice");
    }

    /**
     * A hostile image whose /etc/passwd and /etc/group are symlinks to a host file (absolute, and by
     * "../" escapes): the host file defines "secret" as uid 4242. Resolution happens inside the
     * root, where the targets do not exist, so "secret" must be unknown and never resolve to 4242.
     */
    @Test
    void symlinksInTheImageCannotReachHostFiles() throws IOException {
        Path hostFile = tmp.resolve("shadow-like");
        Files.writeString(hostFile, "secret:x:4242:4242::/:/bin/sh\n");
        Path hostile = tmp.resolve("hostile");
        Files.createDirectories(hostile.resolve("etc"));
        Files.createSymbolicLink(hostile.resolve("etc/passwd"), hostFile.toAbsolutePath());
        Files.createSymbolicLink(hostile.resolve("etc/group"), Path.of("../../../../../../../../.." + hostFile.toAbsolutePath()));
        assertThat(Files.readString(hostile.resolve("etc/passwd"))).contains("secret"); // the host would follow it

        assertThatThrownBy(() -> UserResolver.resolve(hostile, "secret", null))
                .hasMessage("unable to find user secret: no matching entries in passwd file");
        assertThatThrownBy(() -> UserResolver.resolve(hostile, "0:secret", null))
                .hasMessage("unable to find group secret: no matching entries in group file");
    }

    /** A link that stays inside the root is followed inside the root. */
    @Test
    void absoluteSymlinksResolveAgainstTheContainerRoot() throws IOException {
        Path img = tmp.resolve("img");
        Files.createDirectories(img.resolve("etc"));
        Files.createDirectories(img.resolve("usr/lib"));
        Files.writeString(img.resolve("usr/lib/passwd"), "bob:x:77:88::/:/bin/sh\n");
        Files.createSymbolicLink(img.resolve("etc/passwd"), Path.of("/usr/lib/passwd"));
        Process.User u = UserResolver.resolve(img, "bob", null);
        assertThat(u.uid()).isEqualTo(77);
        assertThat(u.gid()).isEqualTo(88);
    }

    @Test
    void nonRegularPasswdIsRefusedWithoutBlocking() throws Exception {
        Path img = tmp.resolve("fifo");
        Files.createDirectories(img.resolve("etc"));
        java.lang.Process p = new ProcessBuilder("mkfifo", img.resolve("etc/passwd").toString()).start();
        assertThat(p.waitFor()).isZero();
        assertThatThrownBy(() -> UserResolver.resolve(img, "alice", null))
                .hasMessageContaining("reading /etc/passwd of the image").hasMessageContaining("not a regular file");
    }
}
