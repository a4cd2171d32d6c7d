package io.berth.server.wire;

import io.berth.api.BerthException;
import io.berth.api.image.PullEvent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WireFormatTest {
    @Test void humanSizesLikeGo() {
        assertThat(ProgressBar.humanSize(0)).isEqualTo("0B");
        assertThat(ProgressBar.humanSize(512)).isEqualTo("512B");
        assertThat(ProgressBar.humanSize(1000)).isEqualTo("1kB");
        assertThat(ProgressBar.humanSize(36564)).isEqualTo("36.56kB");
        assertThat(ProgressBar.humanSize(1028018)).isEqualTo("1.028MB");
        assertThat(ProgressBar.humanSize(1982312)).isEqualTo("1.982MB");
        assertThat(ProgressBar.humanSize(1_500_000_000L)).isEqualTo("1.5GB");
        assertThat(ProgressBar.humanSize(999_999)).isEqualTo("1000kB");
    }

    @Test void progressBarsLikeDockerd() {
        assertThat(ProgressBar.render(36564, 1028018))
                .isEqualTo("[=>" + " ".repeat(49) + "]  36.56kB/1.028MB");
        assertThat(ProgressBar.render(1028018, 1028018))
                .isEqualTo("[" + "=".repeat(50) + ">]  1.028MB/1.028MB");
        assertThat(ProgressBar.render(514009, 1028018)).startsWith("[" + "=".repeat(25) + ">" + " ".repeat(25) + "] ");
        assertThat(ProgressBar.render(2000, 1000)).endsWith("]      2kB"); // current > total: no total shown
        assertThat(ProgressBar.render(5000, 0)).isEqualTo("     5kB");
        assertThat(ProgressBar.render(0, 0)).isEmpty();
    }

    @Test void rfc3339NanoTrimsLikeGo() {
        assertThat(WireTime.rfc3339Nano(Instant.parse("2026-11-23T13:37:15.497673507Z"))).isEqualTo("2026-11-23T13:37:15.497673507Z");
        assertThat(WireTime.rfc3339Nano(Instant.parse("2026-11-23T13:37:15.490Z"))).isEqualTo("2026-11-23T13:37:15.49Z");
        assertThat(WireTime.rfc3339Nano(Instant.parse("2026-11-23T13:37:15Z"))).isEqualTo("2026-11-23T13:37:15Z");
        assertThat(WireTime.rfc3339Nano(null)).isEqualTo("0001-01-01T00:00:00Z");
    }

    @Test void pullEventsAsJsonMessages() {
        assertThat(Json.string(JsonMessage.of(new PullEvent.Resolving("1", "rsch/busybox"))))
                .isEqualTo("{\"status\":\"Pulling from rsch/busybox\",\"id\":\"1\"}");
        assertThat(Json.string(JsonMessage.of(new PullEvent.AlreadyExists("abc"))))
                .isEqualTo("{\"status\":\"Already exists\",\"progressDetail\":{},\"id\":\"abc\"}");
        assertThat(Json.string(JsonMessage.of(new PullEvent.Retrying("abc", "connection reset", 2))))
                .isEqualTo("{\"status\":\"Retrying (2): connection reset\",\"progressDetail\":{},\"id\":\"abc\"}");
        assertThat(Json.string(JsonMessage.of(new PullEvent.Downloading("abc", 0, 0))))
                .isEqualTo("{\"status\":\"Downloading\",\"progressDetail\":{},\"id\":\"abc\"}");
        assertThat(Json.string(JsonMessage.of(new PullEvent.Message("Digest: sha256:00"))))
                .isEqualTo("{\"status\":\"Digest: sha256:00\"}");
        assertThat(Json.string(JsonMessage.error("boom"))).isEqualTo("{\"errorDetail\":{\"message\":\"boom\"},\"error\":\"boom\"}");
        assertThat(Json.string(JsonMessage.stream("Loaded image: a:1\n"))).isEqualTo("{\"stream\":\"Loaded image: a:1\\n\"}");
    }

    @Test void registryAuthHeaderVariants() {
        String json = "{\"username\":\"u\",\"password\":\"p+/?\",\"serveraddress\":\"r:5000\"}";
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        for (String enc : new String[]{Base64.getUrlEncoder().encodeToString(b), Base64.getEncoder().encodeToString(b),
                Base64.getUrlEncoder().withoutPadding().encodeToString(b)}) {
            var a = RegistryAuthJson.decodeHeader(enc);
            assertThat(a.username()).isEqualTo("u");
            assertThat(a.password()).isEqualTo("p+/?");
            assertThat(a.serverAddress()).isEqualTo("r:5000");
        }
        String legacy = Base64.getUrlEncoder().encodeToString(("{\"auth\":\"" + Base64.getEncoder().encodeToString("bob:pw".getBytes()) + "\"}").getBytes());
        assertThat(RegistryAuthJson.decodeHeader(legacy).username()).isEqualTo("bob");
        assertThat(RegistryAuthJson.decodeHeader(null)).isNull();
        assertThat(RegistryAuthJson.decodeHeader("")).isNull();
        assertThat(RegistryAuthJson.decodeHeader(Base64.getUrlEncoder().encodeToString("{}".getBytes()))).isNull();
        assertThatThrownBy(() -> RegistryAuthJson.decodeHeader("%%%")).isInstanceOf(BerthException.class);
        assertThatThrownBy(() -> RegistryAuthJson.decodeHeader(Base64.getUrlEncoder().encodeToString("nope".getBytes())))
                .isInstanceOf(BerthException.class);
    }
}
