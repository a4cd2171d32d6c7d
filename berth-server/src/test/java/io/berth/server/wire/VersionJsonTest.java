package io.berth.server.wire;

import io.berth.api.system.VersionReport;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class VersionJsonTest {
    private static final VersionReport BERTH = new VersionReport("0.1.0", "1.44", "1.24", "abc", "java25", "linux",
            "amd64", "6.1", "", null);

    /** Testcontainers' startup check compares the top-level Version with "1.6.0" (Maven version order). */
    @Test
    void topLevelVersionSortsAsTheDockerReleaseOfApi144AndNamesBerth() {
        VersionJson v = VersionJson.from(BERTH, "1.44", "1.24");
        assertThat(v.version()).isEqualTo("25.0.0-berth.0.1.0");
        assertThat(Integer.parseInt(v.version().substring(0, v.version().indexOf('.')))).isGreaterThanOrEqualTo(25);
        assertThat(v.components().getFirst().name()).isEqualTo("Engine");
        assertThat(v.components().getFirst().version()).isEqualTo("0.1.0");
    }
}
