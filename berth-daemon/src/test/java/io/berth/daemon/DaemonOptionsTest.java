package io.berth.daemon;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DaemonOptionsTest {
    @Test void defaults() throws Exception {
        DaemonOptions o = DaemonOptions.parse("daemon");
        assertThat(o.root()).isEqualTo(Path.of("/var/lib/berth"));
        assertThat(o.socket()).isEqualTo(Path.of("/run/berth/berth.sock"));
        assertThat(o.config()).isEqualTo(Path.of("/etc/berth/daemon.json"));
        assertThat(o.configExplicit()).isFalse();
        assertThat(DaemonOptions.parse()).isEqualTo(o);
    }

    @Test void flags() throws Exception {
        DaemonOptions o = DaemonOptions.parse("daemon", "--root", "/tmp/r", "--host=unix:///tmp/x.sock", "--config", "/tmp/d.json", "-D");
        assertThat(o.root()).isEqualTo(Path.of("/tmp/r"));
        assertThat(o.socket()).isEqualTo(Path.of("/tmp/x.sock"));
        assertThat(o.config()).isEqualTo(Path.of("/tmp/d.json"));
        assertThat(o.configExplicit()).isTrue();
        assertThat(o.debug()).isTrue();
        assertThat(DaemonOptions.parse("-H", "unix:///a/b.sock").socket()).isEqualTo(Path.of("/a/b.sock"));
    }

    @Test void badCommandLines() {
        assertThatThrownBy(() -> DaemonOptions.parse("--host", "tcp://0.0.0.0:2375")).hasMessageContaining("only on unix sockets");
        assertThatThrownBy(() -> DaemonOptions.parse("--host", "unix://rel.sock")).hasMessageContaining("must be absolute");
        assertThatThrownBy(() -> DaemonOptions.parse("--root")).hasMessage("flag needs an argument: --root");
        assertThatThrownBy(() -> DaemonOptions.parse("--bogus")).hasMessage("unknown flag: --bogus");
        assertThatThrownBy(() -> DaemonOptions.parse("--help")).isInstanceOf(DaemonOptions.UsageException.class).hasMessage(null);
    }

    @Test void daemonJsonInDockersSpelling() throws Exception {
        DaemonConfig c = DaemonConfig.parse("d.json", """
                {"insecure-registries": ["myreg:5000", "10.0.0.0/8"], "max-concurrent-downloads": 7, "log-driver": "json-file"}
                """.getBytes(StandardCharsets.UTF_8));
        assertThat(c.insecureRegistries()).isEqualTo(List.of("myreg:5000", "10.0.0.0/8"));
        assertThat(c.maxConcurrentDownloads()).isEqualTo(7);
        assertThat(c.unknownKeys()).containsExactly("log-driver");
        assertThat(DaemonConfig.parse("d.json", "{}".getBytes())).extracting(DaemonConfig::maxConcurrentDownloads).isEqualTo(4);
        assertThatThrownBy(() -> DaemonConfig.parse("d.json", "{\"max-concurrent-downloads\": 0}".getBytes()))
                .hasMessageContaining("max-concurrent-downloads must be a positive integer");
        assertThatThrownBy(() -> DaemonConfig.parse("d.json", "{\"insecure-registries\": \"x\"}".getBytes()))
                .hasMessageContaining("insecure-registries must be a list");
        assertThatThrownBy(() -> DaemonConfig.parse("d.json", "{nope".getBytes())).hasMessageContaining("invalid JSON");
    }

    @Test void missingConfigIsFineOnlyByDefault() throws Exception {
        assertThat(DaemonConfig.load(Path.of("/nonexistent/daemon.json"), false)).isEqualTo(DaemonConfig.DEFAULTS);
        assertThatThrownBy(() -> DaemonConfig.load(Path.of("/nonexistent/daemon.json"), true)).hasMessageContaining("no such file");
    }
}
