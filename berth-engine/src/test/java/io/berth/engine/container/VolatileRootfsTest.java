package io.berth.engine.container;

import io.berth.spec.runtime.Mount;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class VolatileRootfsTest {
    @Test
    void addsVolatileToTheWritableOverlayOnly() {
        Mount rw = new Mount(null, "overlay", "overlay", List.of("workdir=/s/3/work", "upperdir=/s/3/fs", "lowerdir=/s/2/fs"));
        assertThat(VolatileRootfs.of(List.of(rw))).containsExactly(new Mount(null, "overlay", "overlay",
                List.of("workdir=/s/3/work", "upperdir=/s/3/fs", "lowerdir=/s/2/fs", "volatile")));
        assertThat(VolatileRootfs.of(List.of(new Mount(null, "overlay", "overlay", List.of("ro", "lowerdir=/a:/b"))))).isNull();
        assertThat(VolatileRootfs.of(List.of(new Mount(null, "bind", "/s/1/fs", List.of("rbind", "rw"))))).isNull();
    }
}
