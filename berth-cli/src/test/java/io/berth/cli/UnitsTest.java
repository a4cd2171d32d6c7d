package io.berth.cli;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class UnitsTest {
    @Test void humanSizeLikeGoUnits() {
        assertThat(Units.humanSize(1982312, 3)).isEqualTo("1.98MB");
        assertThat(Units.humanSize(198898914, 3)).isEqualTo("199MB");
        assertThat(Units.humanSize(1028018)).isEqualTo("1.028MB");
        assertThat(Units.humanSize(36564)).isEqualTo("36.56kB");
        assertThat(Units.humanSize(0)).isEqualTo("0B");
        assertThat(Units.humanSize(999)).isEqualTo("999B");
        assertThat(Units.humanSize(1000)).isEqualTo("1kB");
        assertThat(Units.humanSize(5_000_000, 3)).isEqualTo("5MB");
        assertThat(Units.humanSize(999_999, 3)).isEqualTo("1e+03kB"); // Go's %.3g quirk, as docker shows it
        assertThat(Units.humanSize(1.5e12, 3)).isEqualTo("1.5TB");
    }

    @Test void bytesSizeBinary() {
        assertThat(Units.bytesSize(25276063744L)).isEqualTo("23.54GiB");
        assertThat(Units.bytesSize(1024)).isEqualTo("1KiB");
    }

    @Test void formatG() {
        assertThat(Units.formatG(0.00001234, 3)).isEqualTo("1.23e-05");
        assertThat(Units.formatG(123456, 3)).isEqualTo("1.23e+05");
        assertThat(Units.formatG(12.5, 3)).isEqualTo("12.5");
    }

    @Test void humanDurationLikeGoUnits() {
        assertThat(Units.humanDuration(Duration.ofMillis(500))).isEqualTo("Less than a second");
        assertThat(Units.humanDuration(Duration.ofSeconds(1))).isEqualTo("1 second");
        assertThat(Units.humanDuration(Duration.ofSeconds(59))).isEqualTo("59 seconds");
        assertThat(Units.humanDuration(Duration.ofSeconds(90))).isEqualTo("About a minute");
        assertThat(Units.humanDuration(Duration.ofMinutes(59))).isEqualTo("59 minutes");
        assertThat(Units.humanDuration(Duration.ofMinutes(60))).isEqualTo("About an hour");
        assertThat(Units.humanDuration(Duration.ofMinutes(89))).isEqualTo("About an hour");
        assertThat(Units.humanDuration(Duration.ofMinutes(91))).isEqualTo("2 hours");
        assertThat(Units.humanDuration(Duration.ofHours(47))).isEqualTo("47 hours");
        assertThat(Units.humanDuration(Duration.ofDays(2))).isEqualTo("2 days");
        assertThat(Units.humanDuration(Duration.ofDays(14))).isEqualTo("2 weeks");
        assertThat(Units.humanDuration(Duration.ofDays(60))).isEqualTo("2 months");
        assertThat(Units.humanDuration(Duration.ofDays(800))).isEqualTo("2 years");
    }

    @Test void ellipsis() {
        assertThat(Units.ellipsis("/bin/sh -c #(nop) ADD file:0123456789abcdef0123456789 in / ", 45))
                .hasSize(45).endsWith("…");
        assertThat(Units.ellipsis("short", 45)).isEqualTo("short");
    }
}
