package io.berth.engine.runtime;

import io.berth.api.BerthException;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The conmon spawn, with a shell standing in for conmon: what the child gets, and what we get back. */
class PipeSpawnTest {

    private static Process sh(String script) {
        return PipeSpawn.spawn(List.of("/bin/sh", "-c", script), Map.of("PIPE_SPAWN_TEST", "yes"));
    }

    @Test
    void childGetsTheTwoPipesOnFds3And4AndNothingElse() throws Exception {
        // fds: the shell's own listing of /proc/self/fd is 0-4 plus the directory it reads (one more).
        Process p = sh("read line <&4; echo \"got $line env=$PIPE_SPAWN_TEST\" >&3; "
                + "ls /proc/self/fd | sort -n | tr '\\n' ' ' >&3; echo >&3; "
                + "grep -E '^Sig(Blk|Ign):' /proc/self/status | tr '\\n' ' ' >&3; echo >&3; exit 7");
        try (OutputStream out = p.getOutputStream();
             BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            out.write("ping\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            assertThat(in.readLine()).isEqualTo("got ping env=yes");
            List<String> fds = List.of(in.readLine().trim().split(" "));
            assertThat(fds).startsWith("0", "1", "2", "3", "4").hasSizeLessThanOrEqualTo(6);
            String sig = in.readLine();
            assertThat(sig).as("no signal blocked in the child").contains("SigBlk:\t0000000000000000");
            // Signals 1-31 (bits 0-30) at their defaults; 32 and 33 are glibc's own, outside sigfillset.
            long ignored = Long.parseLong(sig.replaceAll(".*SigIgn:\\s*([0-9a-f]+).*", "$1"), 16);
            assertThat(ignored & 0x7fffffffL).as("standard signals ignored in the child: " + sig).isZero();
        }
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(7);
        assertThat(p.isAlive()).isFalse();
    }

    @Test
    void thePipeOutlivesTheChildLikeConmonsDaemon() throws Exception {
        // the child exits at once; its background grandchild writes later, as conmon's daemon does
        Process p = sh("(sleep 0.3; echo '{\"data\": 42}' >&3) & exit 0");
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(in.readLine()).isEqualTo("{\"data\": 42}");
            assertThat(in.readLine()).as("EOF once the last writer is gone").isNull();
        }
        p.getOutputStream().close();
    }

    @Test
    void deathBySignalIs128PlusTheSignal() throws Exception {
        Process p = sh("exec sleep 30");
        p.destroyForcibly();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(137);
        p.getInputStream().close();
        p.getOutputStream().close();
    }

    @Test
    void aMissingProgramFailsClearly() {
        assertThatThrownBy(() -> PipeSpawn.spawn(List.of("/nonexistent/conmon"), Map.of()))
                .isInstanceOfSatisfying(BerthException.class, e -> {
                    assertThat(e.kind()).isEqualTo(BerthException.Kind.UNAVAILABLE);
                    assertThat(e.getMessage()).contains("/nonexistent/conmon").contains("no such file or directory");
                });
    }
}
