package io.berth.engine.snapshot;

import io.berth.engine.snapshot.SnapshotInfo.Kind;
import io.berth.spec.runtime.Mount;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The mount values of {@link OverlaySnapshotter}, as a pure function of kind and chain. */
class OverlayMountsTest {
    static final Path DIR = Path.of("/var/lib/berth/snapshots/overlay");

    @Test
    void activeWithoutParentIsARwBind() {
        assertThat(OverlaySnapshotter.mounts(DIR, Kind.ACTIVE, List.of(7L)))
                .containsExactly(new Mount(null, "bind", DIR + "/7/fs", List.of("rbind", "rw")));
    }

    @Test
    void activeWithParentsIsAnOverlayNearestParentFirst() {
        assertThat(OverlaySnapshotter.mounts(DIR, Kind.ACTIVE, List.of(9L, 5L, 2L))).containsExactly(new Mount(null, "overlay", "overlay",
                List.of("workdir=" + DIR + "/9/work", "upperdir=" + DIR + "/9/fs", "lowerdir=" + DIR + "/5/fs:" + DIR + "/2/fs")));
        assertThat(OverlaySnapshotter.mounts(DIR, Kind.ACTIVE, List.of(9L, 5L)).getFirst().options())
                .contains("lowerdir=" + DIR + "/5/fs");
    }

    @Test
    void viewsAndCommittedAreReadOnly() {
        assertThat(OverlaySnapshotter.mounts(DIR, Kind.VIEW, List.of(9L)))
                .containsExactly(new Mount(null, "bind", DIR + "/9/fs", List.of("rbind", "ro")));
        assertThat(OverlaySnapshotter.mounts(DIR, Kind.VIEW, List.of(9L, 5L)))
                .containsExactly(new Mount(null, "bind", DIR + "/5/fs", List.of("rbind", "ro")));
        assertThat(OverlaySnapshotter.mounts(DIR, Kind.VIEW, List.of(9L, 5L, 2L)))
                .containsExactly(new Mount(null, "overlay", "overlay", List.of("ro", "lowerdir=" + DIR + "/5/fs:" + DIR + "/2/fs")));
        assertThat(OverlaySnapshotter.mounts(DIR, Kind.COMMITTED, List.of(5L)))
                .containsExactly(new Mount(null, "bind", DIR + "/5/fs", List.of("rbind", "ro")));
        assertThat(OverlaySnapshotter.mounts(DIR, Kind.COMMITTED, List.of(5L, 2L)))
                .containsExactly(new Mount(null, "overlay", "overlay", List.of("ro", "lowerdir=" + DIR + "/5/fs:" + DIR + "/2/fs")));
    }

    @Test
    void optionsLongerThanAPageUseRelativeLowerdirsAndAChdir() {
        List<Long> chain = LongStream.rangeClosed(1, 130).map(i -> 131 - i).boxed().toList();   // 130 ... 1
        Mount fits = OverlaySnapshotter.mounts(Path.of("/s"), Kind.ACTIVE, chain).getFirst();
        assertThat(fits.options()).noneMatch(o -> o.startsWith(Mounter.CHDIR_OPTION));
        assertThat(fits.options().get(2)).startsWith("lowerdir=/s/129/fs:/s/128/fs:");

        Mount rel = OverlaySnapshotter.mounts(DIR, Kind.ACTIVE, chain).getFirst();
        assertThat(rel.options()).containsExactly("workdir=" + DIR + "/130/work", "upperdir=" + DIR + "/130/fs",
                "lowerdir=" + String.join(":", LongStream.rangeClosed(1, 129).map(i -> 130 - i).mapToObj(i -> i + "/fs").toList()),
                Mounter.CHDIR_OPTION + DIR);
        assertThat(String.join(",", rel.options()).length()).isLessThan(OverlaySnapshotter.MAX_OPTIONS_BYTES);
        // A view of the same chain (one more lower layer, no upper) needs it too.
        assertThat(String.join(",", OverlaySnapshotter.mounts(DIR, Kind.VIEW, chain).getFirst().options()))
                .contains(Mounter.CHDIR_OPTION);
    }
}
