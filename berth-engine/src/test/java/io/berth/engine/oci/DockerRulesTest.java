package io.berth.engine.oci;

import io.berth.api.BerthException;
import io.berth.spec.image.ImageConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Docker's command, environment and working-directory rules, as tables. */
class DockerRulesTest {
    @org.junit.jupiter.api.io.TempDir java.nio.file.Path emptyRoot;

    /** "-" = not given (null), "[]" = given empty, otherwise space-separated words. */
    private static List<String> words(String s) {
        if (s == null || s.equals("-")) return null;
        if (s.equals("[]")) return List.of();
        if (s.equals("['']")) return List.of("");
        return Arrays.asList(s.split(" "));
    }

    @ParameterizedTest(name = "image ep={0} cmd={1}; run ep={2} cmd={3} -> {4}")
    @CsvSource(delimiter = ';', value = {
            // image entrypoint; image cmd; request entrypoint; request cmd; argv
            "-;         sh;             -;        -;          sh",
            "-;         sh;             -;        echo hi;    echo hi",
            "/init;     --serve;        -;        -;          /init --serve",
            "/init;     --serve;        -;        --debug;    /init --debug",
            // an explicit entrypoint drops the image's cmd
            "/init;     --serve;        /bin/ls;  -;          /bin/ls",
            "/init;     --serve;        /bin/ls;  -l;         /bin/ls -l",
            // --entrypoint '' (sent as [\"\"]) or [] clears the entrypoint; then only the given cmd runs
            "/init;     --serve;        [];       echo x;     echo x",
            "/init;     --serve;        [''];     echo x;     echo x",
            "-;         -;              -;        true;       true",
            // an empty cmd with the image entrypoint: just the entrypoint
            "/init;     --serve;        -;        [];         /init",
    })
    void argv(String imageEp, String imageCmd, String ep, String cmd, String expected) {
        ImageConfig.Config image = TestHosts.image(words(imageEp.strip()), words(imageCmd.strip()), null, null, null).config();
        assertThat(SpecOpts.dockerArgs(image, words(ep.strip()), words(cmd.strip()))).isEqualTo(words(expected.strip()));
    }

    @Test
    void noCommandIsDockersError() {
        ImageConfig.Config image = TestHosts.image(null, null, null, null, null).config();
        assertThatThrownBy(() -> SpecOpts.dockerArgs(image, null, null))
                .isInstanceOf(BerthException.class).hasMessageContaining("no command specified");
        ImageConfig.Config withCmd = TestHosts.image(null, List.of("sh"), null, null, null).config();
        assertThatThrownBy(() -> SpecOpts.dockerArgs(withCmd, List.of(""), null))
                .hasMessageContaining("no command specified");
    }

    @Test
    void envStartsWithDefaultPathHostnameAndTerm() {
        assertThat(SpecOpts.dockerEnv(null, null, "h1", true))
                .containsExactly(SpecOpts.DEFAULT_PATH, "HOSTNAME=h1", "TERM=xterm");
        assertThat(SpecOpts.dockerEnv(null, null, "h1", false)).containsExactly(SpecOpts.DEFAULT_PATH, "HOSTNAME=h1");
    }

    @Test
    void imagePathReplacesTheDefaultInPlaceAndRequestOverridesImage() {
        List<String> env = SpecOpts.dockerEnv(List.of("PATH=/opt/bin", "A=1", "B=2"), List.of("B=3", "C=4", "HOSTNAME=mine"), "h1", false);
        assertThat(env).containsExactly("PATH=/opt/bin", "HOSTNAME=mine", "A=1", "B=3", "C=4");
    }

    @Test
    void bareKeyRemovesAVariableAndEmptyValueKeepsIt() {
        assertThat(SpecOpts.dockerEnv(List.of("A=1", "B=2"), List.of("A", "B="), "h", false))
                .containsExactly(SpecOpts.DEFAULT_PATH, "HOSTNAME=h", "B=");
    }

    @Test
    void valuesMayContainEquals() {
        assertThat(SpecOpts.dockerEnv(List.of("A=x=y"), List.of("A=x=z"), null, false)).containsExactly(SpecOpts.DEFAULT_PATH, "A=x=z");
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "-;      -;         /",
            "/srv;   -;         /srv",
            "/srv;   /tmp;      /tmp",
            "-;      /a/./b/;   /a/b",
    })
    void workingDir(String imageDir, String requested, String expected) {
        var g = new SpecGenerator(TestHosts.likeThisMachine(), DaemonDefaults.standard());
        var c = ContainerConfig.builder(TestHosts.ID)
                .image(TestHosts.image(null, List.of("sh"), null, imageDir.equals("-") ? null : imageDir, null))
                .workingDir(requested.equals("-") ? null : requested).build();
        assertThat(g.generate(c, emptyRoot).spec().process().cwd()).isEqualTo(expected);
    }

    @Test
    void relativeWorkingDirIsRefused() {
        var g = new SpecGenerator(TestHosts.likeThisMachine(), DaemonDefaults.standard());
        var c = ContainerConfig.builder(TestHosts.ID).cmd("sh").workingDir("srv").build();
        assertThatThrownBy(() -> g.generate(c, emptyRoot))
                .hasMessageContaining("the working directory 'srv' is invalid, it needs to be an absolute path");
    }
}
