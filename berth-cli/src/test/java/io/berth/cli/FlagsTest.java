package io.berth.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FlagsTest {
    private final Flags flags = new Flags("berth images [OPTIONS]", "List images")
            .bool("all", 'a', "all").bool("quiet", 'q', "quiet").bool("digests", '\0', "digests")
            .value("filter", 'f', "filter", "filter").value("format", '\0', "string", "format");

    private Flags.Parsed parse(String... args) { return flags.parse(List.of(args)); }

    @Test void shortLongAndCombinedFlags() {
        Flags.Parsed p = parse("-aq", "--digests", "busybox");
        assertThat(p.bool("all")).isTrue();
        assertThat(p.bool("quiet")).isTrue();
        assertThat(p.bool("digests")).isTrue();
        assertThat(p.args()).containsExactly("busybox");
    }

    @Test void valueForms() {
        assertThat(parse("-f", "a=1").values("filter")).containsExactly("a=1");
        assertThat(parse("-fa=1").values("filter")).containsExactly("a=1");
        assertThat(parse("-f=a=1").values("filter")).containsExactly("a=1");
        assertThat(parse("--filter", "a=1").values("filter")).containsExactly("a=1");
        assertThat(parse("--filter=a=1").values("filter")).containsExactly("a=1");
        assertThat(parse("-qf", "x=y").values("filter")).containsExactly("x=y");
        assertThat(parse("--format", "{{.ID}}").value("format")).isEqualTo("{{.ID}}");
    }

    @Test void repeatedFlagsKeepOrderAndLastBoolWins() {
        Flags.Parsed p = parse("-f", "a=1", "x", "--filter=b=2", "-q", "--quiet=false");
        assertThat(p.values("filter")).containsExactly("a=1", "b=2");
        assertThat(p.bool("quiet")).isFalse();
        assertThat(p.args()).containsExactly("x");
    }

    @Test void doubleDashEndsFlagsAndDashIsAnArgument() {
        Flags.Parsed p = parse("-q", "--", "-a", "-");
        assertThat(p.bool("all")).isFalse();
        assertThat(p.args()).containsExactly("-a", "-");
        assertThat(parse("-").args()).containsExactly("-");
    }

    @Test void helpIsAlwaysThere() {
        assertThat(parse("-h").help()).isTrue();
        assertThat(parse("--help").help()).isTrue();
        assertThat(flags.help()).contains("Usage:  berth images [OPTIONS]", "-a, --all", "--filter filter");
    }

    @Test void usageErrorsLikePflag() {
        assertThatThrownBy(() -> parse("--bogus")).isInstanceOf(UsageException.class).hasMessage("unknown flag: --bogus");
        assertThatThrownBy(() -> parse("-aZ")).hasMessage("unknown shorthand flag: 'Z' in -aZ");
        assertThatThrownBy(() -> parse("--filter")).hasMessage("flag needs an argument: --filter");
        assertThatThrownBy(() -> parse("-f")).hasMessage("flag needs an argument: 'f' in -f");
        assertThatThrownBy(() -> parse("--quiet=maybe")).hasMessageContaining("invalid argument \"maybe\"");
        assertThat(new UsageException("x").exitCode()).isEqualTo(125);
    }

    @Test void defaultValues() {
        Flags f = new Flags("x", "y").value("output", 'o', "string", "out", "-");
        assertThat(f.parse(List.of()).value("output")).isEqualTo("-");
        assertThat(f.parse(List.of()).has("output")).isFalse();
    }
}
