package io.berth.daemon;

import io.berth.engine.network.NetworkConfig;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** daemon.json's networking keys, spelled as Docker's where Docker has them. */
class DaemonNetworkConfigTest {
    static DaemonConfig parse(String json) throws DaemonException {
        return DaemonConfig.parse("daemon.json", json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void defaultsAndDockerKeys() throws Exception {
        assertThat(parse("{}").network()).isEqualTo(NetworkConfig.DEFAULT);
        DaemonConfig c = parse("""
                {"bip": "10.200.0.1/24", "bridge": "berthx", "allow-metadata-access": true, "warm-netns": 0,
                 "default-address-pools": [{"base": "10.201.0.0/16", "size": 26}]}""");
        assertThat(c.network()).isEqualTo(new NetworkConfig("berthx", "10.200.0.1/24", "10.201.0.0/16", 26, true, 0));
        assertThat(c.unknownKeys()).isEmpty();
    }

    @Test
    void badValuesAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> parse("{\"bip\": \"10.0.0.1\"}")).hasMessageContaining("bip must be ADDRESS/BITS");
        assertThatThrownBy(() -> parse("{\"warm-netns\": -1}")).hasMessageContaining("warm-netns must be a number from 0 to 64");
        assertThatThrownBy(() -> parse("{\"warm-netns\": \"4\"}")).hasMessageContaining("warm-netns must be a number from 0 to 64");
        assertThatThrownBy(() -> parse("{\"bridge\": \"a-name-that-is-too-long\"}")).hasMessageContaining("bridge must be 1..15 characters");
        assertThatThrownBy(() -> parse("{\"allow-metadata-access\": \"yes\"}")).hasMessageContaining("allow-metadata-access must be true or false");
        assertThatThrownBy(() -> parse("{\"default-address-pools\": [\"x\"]}")).hasMessageContaining("default-address-pools");
    }
}
