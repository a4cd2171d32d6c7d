package io.berth.engine.registry;

import io.berth.api.BerthException;
import io.berth.spec.image.Descriptor;
import io.berth.spec.image.Digest;
import io.berth.spec.image.Index;
import io.berth.spec.image.MediaTypes;
import io.berth.spec.image.Platform;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlatformSelectorTest {
    static Descriptor entry(int i, Platform p) {
        return new Descriptor(MediaTypes.OCI_MANIFEST, Digest.sha256(new byte[]{(byte) i}), 100).withPlatform(p);
    }

    static Index index(Platform... ps) {
        List<Descriptor> l = new ArrayList<>();
        for (int i = 0; i < ps.length; i++) l.add(entry(i, ps[i]));
        return new Index(2, MediaTypes.OCI_INDEX, l, null);
    }

    static int chosen(Index idx, String want) {
        Descriptor d = PlatformSelector.select(idx, want == null ? null : Platform.parse(want));
        return idx.manifests().indexOf(d);
    }

    @Test
    void defaultIsLinuxAmd64PreferringBaselineOverV3() {
        Index idx = index(new Platform("linux", "amd64", "v3"), new Platform("linux", "arm64", null), new Platform("linux", "amd64", null));
        assertThat(chosen(idx, null)).isEqualTo(2);
        assertThat(chosen(idx, "linux/amd64/v3")).isEqualTo(0);
        assertThat(chosen(idx, "linux/x86_64")).isEqualTo(2);
    }

    @Test
    void armVariants() {
        Index idx = index(new Platform("linux", "arm", "v5"), new Platform("linux", "arm", "v6"), new Platform("linux", "arm", "v7"),
                new Platform("linux", "arm64", "v8"));
        assertThat(chosen(idx, "linux/arm")).isEqualTo(2);          // arm means v7
        assertThat(chosen(idx, "linux/arm/v6")).isEqualTo(1);
        assertThat(chosen(idx, "linux/aarch64")).isEqualTo(3);       // v8 is arm64's default variant
        Index old = index(new Platform("linux", "arm", "v5"), new Platform("linux", "arm", "v6"));
        assertThat(chosen(old, "linux/arm/v7")).isEqualTo(1);        // v7 CPUs run v6, the closest older variant
        Index none = index(new Platform("linux", "arm", "v7"));
        assertThatThrownBy(() -> chosen(none, "linux/arm/v6")).isInstanceOf(BerthException.class);
    }

    @Test
    void entriesWithoutPlatformOrOtherOsAreSkipped() {
        Index idx = index(null, new Platform("unknown", "unknown", null), new Platform("windows", "amd64", null), new Platform("linux", "amd64", null));
        assertThat(chosen(idx, null)).isEqualTo(3);
    }

    @Test
    void noMatchNamesThePlatformLikeDocker() {
        assertThatThrownBy(() -> chosen(index(new Platform("linux", "amd64", null)), "linux/arm64"))
                .isInstanceOfSatisfying(BerthException.class, e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.NOT_FOUND))
                .hasMessage("no matching manifest for linux/arm64 in the manifest list entries");
        assertThatThrownBy(() -> PlatformSelector.select(new Index(2, MediaTypes.OCI_INDEX, null, null), null))
                .hasMessage("no matching manifest for linux/amd64 in the manifest list entries");
    }
}
