package io.berth.server.api;

import io.berth.api.BerthException;
import io.berth.api.container.StdStream;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Query values the CLI sends for logs, and the frame header. */
class ContainerParamsTest {
    @Test void sinceAndUntilAcceptUnixSecondsWithFractionAndRfc3339() {
        assertThat(ContainerRoutes.time("1795441373")).isEqualTo(Instant.ofEpochSecond(1795441373));
        assertThat(ContainerRoutes.time("1795441373.250000000")).isEqualTo(Instant.ofEpochSecond(1795441373, 250_000_000));
        assertThat(ContainerRoutes.time("2026-11-23T13:40:49.399401879Z")).isEqualTo(Instant.parse("2026-11-23T13:40:49.399401879Z"));
        assertThat(ContainerRoutes.time("0")).isNull();
        assertThat(ContainerRoutes.time("")).isNull();
        assertThatThrownBy(() -> ContainerRoutes.time("yesterday")).isInstanceOf(BerthException.class);
    }

    @Test void frameHeaderIsStreamThenBigEndianLength() {
        byte[] payload = new byte[300];
        byte[] f = StdioStreams.frame(StdStream.STDERR, payload, 0, 300);
        assertThat(f).hasSize(308);
        assertThat(java.util.Arrays.copyOf(f, 8)).containsExactly(2, 0, 0, 0, 0, 0, 1, 44);
    }

    @Test void contentTypeByVersionAndTty() {
        assertThat(StdioStreams.contentType(new ApiVersion(1, 41), false)).isEqualTo(StdioStreams.RAW);
        assertThat(StdioStreams.contentType(new ApiVersion(1, 42), false)).isEqualTo(StdioStreams.MULTIPLEXED);
        assertThat(StdioStreams.contentType(new ApiVersion(1, 44), true)).isEqualTo(StdioStreams.RAW);
    }
}
