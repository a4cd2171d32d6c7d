package io.berth.client;

import io.berth.api.BerthException;
import io.berth.api.container.PathStat;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArchiveStatsTest {
    @Test
    void readsDockersHeader() {
        PathStat s = ArchiveStats.parse(
                "eyJuYW1lIjoiZXRjIiwic2l6ZSI6NDA5NiwibW9kZSI6MjE0NzQ4NDE0MSwibXRpbWUiOiIyMDI2LTExLTIzVDEzOjQyOjI2LjY1MzczMzA2NFoiLCJsaW5rVGFyZ2V0IjoiIn0=");
        assertThat(s).isEqualTo(new PathStat("etc", 4096, PathStat.DIR | 0755, Instant.parse("2026-11-23T13:42:26.653733064Z"), ""));
        assertThat(s.isDirectory()).isTrue();
    }

    @Test
    void refusesAMissingOrBrokenHeader() {
        assertThatThrownBy(() -> ArchiveStats.parse(null)).isInstanceOf(BerthException.class);
        assertThatThrownBy(() -> ArchiveStats.parse("!!not base64")).isInstanceOf(BerthException.class).hasMessageContaining("unreadable");
    }
}
