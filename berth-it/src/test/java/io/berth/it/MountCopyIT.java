package io.berth.it;

import io.berth.it.fixture.CommandResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker cp of paths that are mounts inside the container, against the real berthd: a directory
 * bind (-v HOSTDIR:/data) both ways, running and created-but-not-started, and file mounts on
 * /etc/hostname, /etc/hosts, /etc/resolv.conf: what cp gives is what the container itself reads.
 */
class MountCopyIT extends OnBusyboxDaemon {
    @TempDir Path tmp;

    @Test
    void aBindMountIsCopiedIntoAndOutOfOnTheHostDirectory() throws IOException {
        Path hostDir = Files.createDirectories(tmp.resolve("hostdir"));
        Files.writeString(hostDir.resolve("x"), "from the host\n");
        Path hostname = Files.writeString(tmp.resolve("hostname"), "mounted-name\n");
        docker.ok("run", "-d", "--name", "cpm-run", "-v", hostDir + ":/data", "-v", hostname + ":/etc/hostname:ro", image, "sleep", "1000");
        try {
            Path f = Files.writeString(tmp.resolve("file.txt"), "copied in\n");
            docker.ok("cp", f.toString(), "cpm-run:/data/");
            assertThat(Files.readString(hostDir.resolve("file.txt"))).isEqualTo("copied in\n");
            assertThat(docker.ok("exec", "cpm-run", "cat", "/data/file.txt").stdout()).isEqualTo("copied in\n");

            Path out = Files.createDirectories(tmp.resolve("out"));
            docker.ok("cp", "cpm-run:/data/x", out.toString());
            assertThat(Files.readString(out.resolve("x"))).isEqualTo("from the host\n");
            docker.ok("cp", "cpm-run:/etc/hostname", out.resolve("hn").toString());
            assertThat(Files.readString(out.resolve("hn"))).isEqualTo("mounted-name\n");
            // a directory copy through the mount
            docker.ok("cp", "cpm-run:/data", out.resolve("data-copy").toString());
            assertThat(Files.readString(out.resolve("data-copy/x"))).isEqualTo("from the host\n");
        } finally {
            docker.run("rm", "-f", "cpm-run");
        }
    }

    @Test
    void aCreatedContainersBindIsUsedBeforeItStarts() throws IOException {
        Path hostDir = Files.createDirectories(tmp.resolve("seed"));
        docker.ok("create", "--name", "cpm-created", "-v", hostDir + ":/data", image, "cat", "/data/config");
        try {
            Path f = Files.writeString(tmp.resolve("config"), "seeded before start\n");
            docker.ok("cp", f.toString(), "cpm-created:/data/");
            assertThat(Files.readString(hostDir.resolve("config"))).isEqualTo("seeded before start\n");
            CommandResult run = docker.run("start", "-a", "cpm-created");
            assertThat(run.exitCode()).as(run.toString()).isZero();
            assertThat(run.stdout()).isEqualTo("seeded before start\n");
            Files.writeString(hostDir.resolve("after"), "after exit\n");
            Path out = tmp.resolve("after-copy");
            docker.ok("cp", "cpm-created:/data/after", out.toString());
            assertThat(Files.readString(out)).isEqualTo("after exit\n");
        } finally {
            docker.run("rm", "-f", "cpm-created");
        }
    }

    /** Whatever the daemon mounts on these files (the network code does), cp reads what the container reads. */
    @Test
    void etcFilesCopyAsTheContainerSeesThem() throws IOException {
        docker.ok("run", "-d", "--name", "cpm-etc", image, "sleep", "1000");
        try {
            for (String p : List.of("/etc/hostname", "/etc/hosts", "/etc/resolv.conf")) {
                CommandResult inside = docker.run("exec", "cpm-etc", "cat", p);
                Path out = tmp.resolve(p.substring(p.lastIndexOf('/') + 1));
                CommandResult cp = docker.run("cp", "cpm-etc:" + p, out.toString());
                if (inside.exitCode() == 0) {
                    assertThat(cp.exitCode()).as(cp.toString()).isZero();
                    assertThat(Files.readString(out)).as(p).isEqualTo(inside.stdout());
                } else {
                    assertThat(cp.exitCode()).as(p + " is missing inside, so cp fails: " + cp).isEqualTo(1);
                    assertThat(cp.stderr()).contains("Could not find the file " + p);
                }
            }
        } finally {
            docker.run("rm", "-f", "cpm-etc");
        }
    }
}
