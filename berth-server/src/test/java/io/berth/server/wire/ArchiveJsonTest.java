package io.berth.server.wire;

import io.berth.api.container.PathStat;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The stat header byte for byte as dockerd 20.10 sent it (traces cp_to.txt and cp_from.txt). */
class ArchiveJsonTest {
    @Test
    void directoryStatMatchesDockers() {
        PathStat etc = new PathStat("etc", 4096, PathStat.DIR | 0755, Instant.parse("2026-11-23T13:42:26.653733064Z"), "");
        assertThat(ArchiveJson.statHeader(etc)).isEqualTo(
                "eyJuYW1lIjoiZXRjIiwic2l6ZSI6NDA5NiwibW9kZSI6MjE0NzQ4NDE0MSwibXRpbWUiOiIyMDI2LTExLTIzVDEzOjQyOjI2LjY1MzczMzA2NFoiLCJsaW5rVGFyZ2V0IjoiIn0=");
    }

    @Test
    void fileStatMatchesDockers() {
        PathStat f = new PathStat("cpfile.txt", 9, 0644, Instant.parse("2026-11-23T13:41:18Z"), "");
        assertThat(ArchiveJson.statHeader(f)).isEqualTo(
                "eyJuYW1lIjoiY3BmaWxlLnR4dCIsInNpemUiOjksIm1vZGUiOjQyMCwibXRpbWUiOiIyMDI2LTExLTIzVDEzOjQxOjE4WiIsImxpbmtUYXJnZXQiOiIifQ==");
    }
}
