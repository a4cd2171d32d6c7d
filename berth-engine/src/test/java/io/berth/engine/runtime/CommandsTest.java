package io.berth.engine.runtime;

import io.berth.api.BerthException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommandsTest {
    private final RuntimeConfig cfg = new RuntimeConfig(Map.of("runc", Path.of("/usr/sbin/runc"), "runsc", Path.of("/opt/runsc")), "runc",
            Path.of("/usr/bin/conmon"), Path.of("/b/rt"), Path.of("/b/c"), Path.of("/b/exits"), Path.of("/b/s"),
            Path.of("/b/logs"), Duration.ofSeconds(5));

    @Test
    void runtimeCommandsUseThePerRuntimeRoot() {
        assertThat(Commands.start(cfg, null, "c1")).containsExactly("/usr/sbin/runc", "--root", "/b/rt/runc", "start", "c1");
        assertThat(Commands.kill(cfg, "runsc", "c1", 9, true)).containsExactly("/opt/runsc", "--root", "/b/rt/runsc", "kill", "--all", "c1", "9");
        assertThat(Commands.kill(cfg, null, "c1", 15, false)).endsWith("kill", "c1", "15");
        assertThat(Commands.delete(cfg, null, "c1", true)).endsWith("delete", "--force", "c1");
        assertThat(Commands.delete(cfg, null, "c1", false)).endsWith("delete", "c1");
        assertThat(Commands.update(cfg, null, "c1")).endsWith("update", "--resources", "-", "c1");
        assertThat(Commands.list(cfg, null)).endsWith("list", "--format", "json");
        assertThat(Commands.pause(cfg, null, "c1")).endsWith("pause", "c1");
        assertThat(Commands.resume(cfg, null, "c1")).endsWith("resume", "c1");
    }

    @Test
    void unknownRuntimeIsInvalid() {
        assertThatThrownBy(() -> Commands.start(cfg, "crun", "c1")).isInstanceOf(BerthException.class)
                .hasMessageContaining("unknown runtime").extracting(e -> ((BerthException) e).kind()).isEqualTo(BerthException.Kind.INVALID_ARGUMENT);
    }

    @Test
    void conmonCreateArgv() {
        CreateOptions o = CreateOptions.defaults(cfg, "c1");
        List<String> argv = Commands.conmonCreate(cfg, "c1", Path.of("/bundle"), o);
        assertThat(argv).containsSequence("/usr/bin/conmon", "--api-version", "1", "-c", "c1", "-u", "c1", "-n", "c1", "-r", "/usr/sbin/runc",
                        "--runtime-arg", "--root", "--runtime-arg", "/b/rt/runc", "-b", "/bundle", "-p", "/b/c/c1/pid",
                        "-l", "k8s-file:/b/logs/c1.log", "--exit-dir", "/b/exits", "--socket-dir-path", "/b/s")
                .containsSequence("-P", "/b/c/c1/conmon.pid")
                .doesNotContain("-t", "-i", "--leave-stdin-open", "--log-size-max");

        List<String> tty = Commands.conmonCreate(cfg, "c1", Path.of("/bundle"), o.withTerminal(true).withStdin(true, true).withLogSizeMax(1000));
        assertThat(tty).contains("-t", "-i").doesNotContain("--leave-stdin-open").containsSequence("--log-size-max", "1000");
        // Docker's StdinOnce=false: stdin survives a client leaving
        assertThat(Commands.conmonCreate(cfg, "c1", Path.of("/bundle"), o.withStdin(true, false))).contains("-i", "--leave-stdin-open");
        assertThat(Commands.conmonCreate(cfg, "c1", Path.of("/bundle"), o.withRuntime("runsc"))).containsSequence("-r", "/opt/runsc")
                .containsSequence("--runtime-arg", "/b/rt/runsc");
    }

    @Test
    void conmonExecArgvHasItsOwnDirectoryAndAttachesFirst() {
        Path dir = Path.of("/b/c/c1/exec/e1");
        List<String> argv = Commands.conmonExec(cfg, null, "c1", "e1", dir, Path.of("/b/s"), new ExecOptions(true, true));
        assertThat(argv).containsSequence("-c", "c1", "-u", "e1").containsSequence("-b", dir.toString())
                .containsSequence("-p", dir + "/pid").containsSequence("-l", "k8s-file:" + dir + "/log")
                .containsSequence("--exit-dir", dir + "/exit")
                .containsSequence("-e", "--exec-attach", "--exec-process-spec", dir + "/process.json", "--sync")
                .contains("-t", "-i").doesNotContain("-P");
        assertThat(Commands.conmonExec(cfg, null, "c1", "e1", dir, Path.of("/b/s"), ExecOptions.PLAIN)).doesNotContain("-t", "-i");
    }

    @Test
    void syncPipesAreNamedForTheSpawnedFds() {
        assertThat(Commands.syncEnv(false)).isEqualTo(Map.of("_OCI_SYNCPIPE", "3"));
        assertThat(Commands.syncEnv(true)).containsEntry("_OCI_STARTPIPE", "4").containsEntry("_OCI_ATTACHPIPE", "3");
    }

    @Test
    void runtimeMessageUnwrapsLogrus() {
        String stderr = "time=\"2026-11-23T15:46:11Z\" level=error msg=\"runc create failed: unable to start container process: exec: \\\"/nonexist\\\": stat /nonexist: no such file or directory\"\n";
        assertThat(Commands.runtimeMessage(stderr))
                .isEqualTo("runc create failed: unable to start container process: exec: \"/nonexist\": stat /nonexist: no such file or directory");
        assertThat(Commands.runtimeMessage("plain words\n")).isEqualTo("plain words");
        assertThat(Commands.runtimeMessage(null)).isEmpty();
    }

    @Test
    void messagesMapToKinds() {
        assertThat(Commands.kindOf("container does not exist")).isEqualTo(BerthException.Kind.NOT_FOUND);
        assertThat(Commands.kindOf("container not running")).isEqualTo(BerthException.Kind.CONFLICT);
        assertThat(Commands.kindOf("exec: \"nope\": executable file not found in $PATH")).isEqualTo(BerthException.Kind.INVALID_ARGUMENT);
        assertThat(Commands.kindOf("something odd")).isEqualTo(BerthException.Kind.INTERNAL);
    }

    @Test
    void resultCheckNamesTheVerbAndTheRuntimeWords() {
        ProcessRunner.Result bad = new ProcessRunner.Result(1, "", "time=\"x\" level=error msg=\"container not running\"\n");
        assertThatThrownBy(() -> bad.check("runc kill c1")).hasMessage("runc kill c1 failed: container not running")
                .extracting(e -> ((BerthException) e).kind()).isEqualTo(BerthException.Kind.CONFLICT);
        assertThat(new ProcessRunner.Result(0, "ok", "").check("x").stdout()).isEqualTo("ok");
    }

    @Test
    void syncMessagesParse() throws Exception {
        assertThat(ConmonSync.parse("{\"data\": 24031}")).isEqualTo(new ConmonSync.Message(24031, null));
        ConmonSync.Message m = ConmonSync.parse("{\"data\": -1, \"message\": \"boom\\n\"}");
        assertThat(m.failed()).isTrue();
        assertThat(m.message()).isEqualTo("boom\n");
    }

    @Test
    void createFailureSaysRuncsWordsOnce() {
        assertThat(ConmonRuntime.createFailure("runc", "runc create failed: unable to start container process: exec: \"/x\""))
                .isEqualTo("runc create failed: unable to start container process: exec: \"/x\"");
        assertThat(ConmonRuntime.createFailure("crun", "executable file not found"))
                .isEqualTo("crun create failed: executable file not found");
    }
}
