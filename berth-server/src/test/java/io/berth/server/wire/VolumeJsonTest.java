package io.berth.server.wire;

import io.berth.api.container.ContainerDetails;
import io.berth.api.container.ContainerSpec;
import io.berth.api.container.ContainerState;
import io.berth.api.container.ContainerSummary;
import io.berth.api.container.MountPoint;
import io.berth.api.container.NetworkSettings;
import io.berth.api.volume.VolumeCreateSpec;
import io.berth.api.volume.VolumeDetails;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Volume JSON, Config.Volumes in and out, and the Mounts of inspect and ps as Docker writes them. */
class VolumeJsonTest {
    static final MountPoint VOL = new MountPoint("volume", "rschvol", "/var/lib/berth/volumes/rschvol/_data", "/v", "local", "z", true, "");
    static final MountPoint BIND = new MountPoint("bind", null, "/srv/vol", "/data", null, "ro", false, "rprivate");

    @Test void createBodyVolumesBecomeAnonymousDestinations() throws Exception {
        var body = Json.MAPPER.readTree("{\"Image\":\"busybox\",\"Volumes\":{\"/data\":{},\"/cache\":{}},"
                + "\"HostConfig\":{\"Binds\":[\"named:/n:ro\"],\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"rschvol\",\"Target\":\"/v\",\"ReadOnly\":true}]}}");
        ContainerSpec s = ContainerJson.createSpec(body, null);
        assertThat(s.volumes()).containsExactlyInAnyOrder("/data", "/cache");
        assertThat(s.host().binds()).containsExactly("named:/n:ro");
        assertThat(s.host().mounts().getFirst().type()).isEqualTo("volume");
        assertThat(s.host().mounts().getFirst().source()).isEqualTo("rschvol");
        assertThat(s.host().mounts().getFirst().readOnly()).isTrue();
        assertThat(ContainerJson.createSpec(Json.MAPPER.readTree("{\"Image\":\"b\",\"Volumes\":null}"), null).volumes()).isEmpty();
        var nocopy = Json.MAPPER.readTree("{\"Image\":\"b\",\"HostConfig\":{\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"v\",\"Target\":\"/v\",\"VolumeOptions\":{\"NoCopy\":true}}]}}");
        assertThat(ContainerJson.createSpec(nocopy, null).host().mounts().getFirst().noCopy()).isTrue();
    }

    @Test void inspectAndPsShowMountsInDockersShape() throws Exception {
        ContainerSpec spec = ContainerSpec.of("busybox", List.of("true")).withVolumes(List.of("/data"));
        ContainerDetails d = new ContainerDetails("a".repeat(64), "c", Instant.EPOCH, "sha256:" + "b".repeat(64), "busybox", "true", List.of(),
                new ContainerState(ContainerState.Status.CREATED, 0, 0, null, false, null, null, 0), spec, List.of(), "", "", "/r", "/l",
                Map.of(), List.of(), "overlay", NetworkSettings.EMPTY, List.of(BIND, VOL));
        Map<String, Object> m = ContainerJson.inspect(d);
        String mounts = new String(Json.bytes(m.get("Mounts")));
        assertThat(mounts).isEqualTo("[{\"Type\":\"bind\",\"Source\":\"/srv/vol\",\"Destination\":\"/data\",\"Mode\":\"ro\",\"RW\":false,\"Propagation\":\"rprivate\"},"
                + "{\"Type\":\"volume\",\"Name\":\"rschvol\",\"Source\":\"/var/lib/berth/volumes/rschvol/_data\",\"Destination\":\"/v\",\"Driver\":\"local\",\"Mode\":\"z\",\"RW\":true,\"Propagation\":\"\"}]");
        @SuppressWarnings("unchecked") Map<String, Object> config = (Map<String, Object>) m.get("Config");
        assertThat(config.get("Volumes")).isEqualTo(Map.of("/data", Map.of()));

        ContainerSummary s = new ContainerSummary("a".repeat(64), List.of("/c"), "busybox", "sha256:b", "true", Instant.EPOCH,
                ContainerState.Status.CREATED, "Created", Map.of(), NetworkSettings.EMPTY, List.of(VOL));
        assertThat(new String(Json.bytes(ContainerJson.summary(s, "none").get("Mounts")))).contains("\"Name\":\"rschvol\"");
    }

    @Test void volumeObjectKeysInDockersOrder() {
        VolumeDetails v = new VolumeDetails("x1", "local", "/m", Instant.parse("2026-01-02T03:04:05.123Z"), Map.of(), Map.of(), "local", false, -1, -1);
        Map<String, Object> m = VolumeJson.volume(v);
        assertThat(m.keySet()).containsExactly("CreatedAt", "Driver", "Labels", "Mountpoint", "Name", "Options", "Scope");
        assertThat(m.get("CreatedAt")).isEqualTo("2026-01-02T03:04:05Z");
        assertThat(m.get("Labels")).isNull();
        VolumeCreateSpec c = VolumeJson.createSpec(Json.MAPPER.createObjectNode().put("Name", "").put("Driver", "local"));
        assertThat(c.name()).as("empty name: anonymous").isNull();
    }
}
