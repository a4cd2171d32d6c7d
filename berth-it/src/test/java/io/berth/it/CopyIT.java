package io.berth.it;

import io.berth.it.fixture.CommandResult;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** docker cp (and berth cp) against the real berthd with real busybox containers. */
class CopyIT extends OnBusyboxDaemon {
    @TempDir Path tmp;

    @Test
    void fileInAndOutOfARunningContainer() throws IOException {
        docker.ok("run", "-d", "--name", "cp-run", image, "sleep", "1000");
        try {
            Path f = Files.writeString(tmp.resolve("cpfile.txt"), "hello-cp\n");
            docker.ok("cp", f.toString(), "cp-run:/tmp/");
            assertThat(docker.ok("exec", "cp-run", "cat", "/tmp/cpfile.txt").stdout()).isEqualTo("hello-cp\n");

            // docker cp ctr:/path - writes a tar to stdout.
            CommandResult out = docker.ok("cp", "cp-run:/tmp/cpfile.txt", "-");
            assertThat(untar(out.stdout().getBytes(StandardCharsets.ISO_8859_1))).isEqualTo("cpfile.txt=hello-cp\n;");

            Path back = tmp.resolve("back.txt");
            docker.ok("cp", "cp-run:/tmp/cpfile.txt", back.toString());
            assertThat(Files.readString(back)).isEqualTo("hello-cp\n");

            // docker cp - ctr:/dir reads a tar from stdin.
            java.io.ByteArrayOutputStream tar = new java.io.ByteArrayOutputStream();
            try (var t = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(tar)) {
                byte[] body = "from-stdin".getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry("stdin.txt");
                e.setSize(body.length);
                e.setMode(0100644);
                t.putArchiveEntry(e);
                t.write(body);
                t.closeArchiveEntry();
            }
            CommandResult in = docker.runWithStdin(tar.toByteArray(), "cp", "-", "cp-run:/tmp");
            assertThat(in.exitCode()).as(in.toString()).isZero();
            assertThat(docker.ok("exec", "cp-run", "cat", "/tmp/stdin.txt").stdout()).isEqualTo("from-stdin");

            // Into a new name in an existing directory.
            docker.ok("cp", f.toString(), "cp-run:/tmp/renamed.txt");
            assertThat(docker.ok("exec", "cp-run", "cat", "/tmp/renamed.txt").stdout()).isEqualTo("hello-cp\n");
        } finally {
            docker.run("rm", "-f", "cp-run");
        }
    }

    @Test
    void directoryRoundTripOnAStoppedContainer() throws IOException {
        docker.ok("create", "--name", "cp-stopped", image, "true");
        try {
            Path d = Files.createDirectories(tmp.resolve("tree/sub"));
            Files.writeString(d.resolve("a.txt"), "A");
            Files.writeString(tmp.resolve("tree/top.txt"), "TOP");
            docker.ok("cp", tmp.resolve("tree").toString(), "cp-stopped:/");
            Path out = Files.createDirectories(tmp.resolve("out"));
            docker.ok("cp", "cp-stopped:/tree", out.toString());
            assertThat(Files.readString(out.resolve("tree/sub/a.txt"))).isEqualTo("A");
            assertThat(Files.readString(out.resolve("tree/top.txt"))).isEqualTo("TOP");
            // The berth CLI reads the same back.
            Path viaBerth = tmp.resolve("via-berth");
            CommandResult b = berth.run("cp", "cp-stopped:/tree", viaBerth.toString());
            assertThat(b.exitCode()).as(b.toString()).isZero();
            assertThat(Files.readString(viaBerth.resolve("sub/a.txt"))).isEqualTo("A");
            // Nothing stays mounted for the stopped container.
            String mountinfo = Files.readString(Path.of("/proc/self/mountinfo"));
            assertThat(mountinfo.lines().filter(l -> l.contains(daemon.root().toString()) && l.contains("/containers/")).count()).isZero();
        } finally {
            docker.run("rm", "-f", "cp-stopped");
        }
    }

    @Test
    void missingPathFailsAsDockerDoes() {
        docker.ok("create", "--name", "cp-miss", image, "true");
        try {
            CommandResult r = docker.run("cp", "cp-miss:/nonexistent", tmp.resolve("x").toString());
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            assertThat(r.stderr()).contains("Error response from daemon: Could not find the file /nonexistent in container cp-miss");
            CommandResult b = berth.run("cp", "cp-miss:/nonexistent", tmp.resolve("y").toString());
            assertThat(b.exitCode()).as(b.toString()).isEqualTo(1);
            assertThat(b.stderr()).contains("Could not find the file /nonexistent in container cp-miss");
        } finally {
            docker.run("rm", "-f", "cp-miss");
        }
    }

    @Test
    void aSymlinkInTheContainerDoesNotReachTheHost() throws IOException {
        docker.ok("run", "-d", "--name", "cp-evil", image, "sleep", "1000");
        try {
            Path secret = Files.writeString(tmp.resolve("secret"), "host only");
            docker.ok("exec", "cp-evil", "sh", "-c", "ln -s / /evil; ln -s ../../../../.. /up");
            CommandResult r = docker.run("cp", "cp-evil:/evil" + secret, tmp.resolve("leak").toString());
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            assertThat(Files.exists(tmp.resolve("leak"))).isFalse();
            Path f = Files.writeString(tmp.resolve("payload"), "x");
            docker.run("cp", f.toString(), "cp-evil:/up" + tmp + "/");
            assertThat(Files.list(tmp).map(p -> p.getFileName().toString()).toList()).containsExactlyInAnyOrder("secret", "payload");
        } finally {
            docker.run("rm", "-f", "cp-evil");
        }
    }

    /** "name=content;" for each regular file in the tar. */
    private static String untar(byte[] tar) throws IOException {
        StringBuilder sb = new StringBuilder();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                if (e.isFile()) sb.append(e.getName()).append('=').append(new String(in.readAllBytes(), StandardCharsets.UTF_8)).append(';');
            }
        }
        return sb.toString();
    }
}
