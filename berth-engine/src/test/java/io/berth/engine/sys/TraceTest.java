package io.berth.engine.sys;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TraceTest {
    @Test
    void onlyAnExplicitValueTurnsTracingOn() {
        assertThat(Trace.enabled(null)).isFalse();
        assertThat(Trace.enabled("")).isFalse();
        assertThat(Trace.enabled("0")).isFalse();
        assertThat(Trace.enabled("false")).isFalse();
        assertThat(Trace.enabled("1")).isTrue();
        assertThat(Trace.enabled("yes")).isTrue();
    }

    @Test
    void offByDefaultAndThenANoOp() {
        // The build does not set BERTH_TRACE: every Laps is the shared no-op, so the calls left in
        // the lifecycle code cost nothing.
        if (Trace.ON) return;
        Trace.Laps a = Trace.laps("start", "abc"), b = Trace.laps("exit", "def");
        assertThat(a).isSameAs(b);
        a.lap("x");
        a.end();
    }
}
