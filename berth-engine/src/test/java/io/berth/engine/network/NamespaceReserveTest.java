package io.berth.engine.network;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The reserve's bookkeeping with a plumbing that only counts (the real one is NetworkedContainersTest's). */
class NamespaceReserveTest {
    /** Hands out numbered keys; fails while {@code failing} is set; records teardowns in order. */
    static final class Counting implements NamespaceReserve.Plumbing {
        final AtomicInteger made = new AtomicInteger();
        final List<String> tornDown = Collections.synchronizedList(new ArrayList<>());
        volatile boolean failing;

        @Override public String makeWarm() {
            if (failing) {
                made.incrementAndGet();
                throw new IllegalStateException("netavark says no");
            }
            return "warm-" + made.incrementAndGet();
        }

        @Override public void tearDownNow(String key) { tornDown.add(key); }
    }

    @Test
    void fillsToTheTargetHandsEachOutOnceAndRefills() {
        Counting p = new Counting();
        try (NamespaceReserve r = new NamespaceReserve(2, p)) {
            assertThat(r.take()).as("nothing before start (recovery would tear it down)").isNull();
            r.start();
            r.settle();
            assertThat(r.ready()).isEqualTo(2);
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 5; i++) {
                String k = r.take();
                assertThat(k).isNotNull();
                assertThat(seen.add(k)).as("handed out twice: %s", k).isTrue();
                r.settle();
                assertThat(r.ready()).isEqualTo(2);
            }
            assertThat(p.made).hasValue(7);
        }
        assertThat(p.tornDown).as("close tears down what is still warm").containsExactlyInAnyOrder("warm-6", "warm-7");
    }

    @Test
    void aFailingSetupIsNotRetriedInALoopAndRetiredKeysGoInOrder() {
        Counting p = new Counting();
        p.failing = true;
        try (NamespaceReserve r = new NamespaceReserve(3, p)) {
            r.start();
            r.settle();
            assertThat(r.ready()).isZero();
            assertThat(p.made).as("one attempt, then wait for the next take").hasValue(1);
            for (int i = 0; i < 4; i++) r.retire("gone-" + i);
            r.settleTeardowns();
            assertThat(p.tornDown).containsExactly("gone-0", "gone-1", "gone-2", "gone-3");
        }
    }

    @Test
    void zeroTargetMakesNothingAndRetireStillWorksAfterClose() {
        Counting p = new Counting();
        NamespaceReserve r = new NamespaceReserve(0, p);
        r.start();
        r.settle();
        assertThat(r.take()).isNull();
        assertThat(p.made).hasValue(0);
        r.close();
        r.retire("gone-late");
        assertThat(p.tornDown).as("after close the teardown runs in the caller").containsExactly("gone-late");
    }
}
