package io.berth.engine.registry;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegistryHostsTest {
    @Test
    void loopbackAndLocalhostAreAlwaysInsecure() {
        RegistryHosts h = RegistryHosts.defaults();
        assertThat(h.isInsecure("localhost")).isTrue();
        assertThat(h.isInsecure("localhost:5000")).isTrue();
        assertThat(h.isInsecure("127.0.0.1:5000")).isTrue();
        assertThat(h.isInsecure("127.1.2.3")).isTrue();
        assertThat(h.isInsecure("[::1]:5000")).isTrue();
        assertThat(h.isInsecure("10.0.0.1:5000")).isFalse();
        assertThat(h.isInsecure("registry.example.invalid")).isFalse();
    }

    @Test
    void configuredHostsPortsAndCidrs() {
        RegistryHosts h = new RegistryHosts(List.of("myreg", "other:5000", "192.168.0.0/16", "fd00::/8"));
        assertThat(h.isInsecure("myreg:1234")).isTrue();
        assertThat(h.isInsecure("other:5000")).isTrue();
        assertThat(h.isInsecure("other:5001")).isFalse();
        assertThat(h.isInsecure("192.168.44.5:443")).isTrue();
        assertThat(h.isInsecure("192.169.0.1")).isFalse();
        assertThat(h.isInsecure("[fd12::1]:5000")).isTrue();
        assertThat(h.isInsecure("[fe80::1]:5000")).isFalse();
    }

    @Test
    void invalidCidrFailsAtConstruction() {
        assertThatThrownBy(() -> new RegistryHosts(List.of("10.0.0.0/99")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10.0.0.0/99");
        assertThatThrownBy(() -> new RegistryHosts(List.of("nothost/8")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void dockerHubMapping() {
        assertThat(RegistryHosts.apiHost("docker.io")).isEqualTo("registry-1.docker.io");
        assertThat(RegistryHosts.apiHost("quay.io")).isEqualTo("quay.io");
        assertThat(RegistryHosts.domainOf("https://index.docker.io/v1/")).isEqualTo("docker.io");
        assertThat(RegistryHosts.domainOf(null)).isEqualTo("docker.io");
        assertThat(RegistryHosts.domainOf("http://localhost:5000/")).isEqualTo("localhost:5000");
        assertThat(RegistryHosts.domainOf("ghcr.io")).isEqualTo("ghcr.io");
        assertThat(RegistryHosts.defaults().baseUri("docker.io").toString()).isEqualTo("https://registry-1.docker.io");
    }
}
