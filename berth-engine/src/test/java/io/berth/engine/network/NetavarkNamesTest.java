package io.berth.engine.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Two engines' default networks, both called "bridge", must not look like one network to netavark. */
class NetavarkNamesTest {
    static NetworkBackend.Request request(String networkId, String bridge) {
        return new NetworkBackend.Request("c".repeat(64), "web",
                new NetworkBackend.Net(networkId, "bridge", bridge, "172.30.0.0/16", "172.30.0.1", false, false, Map.of()),
                "172.30.0.2", List.of(), "eth0", null, List.of(new NetworkBackend.Port("127.0.0.1", 8080, 80, "tcp")));
    }

    @Test
    void sameDockerNameInTwoEnginesGivesNetavarkTwoNames() throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode a = json.readTree(NetavarkBackend.request(request("a".repeat(64), "berth0")));
        JsonNode b = json.readTree(NetavarkBackend.request(request("b".repeat(64), "berthnl0")));
        String nameA = a.at("/network_info").fieldNames().next(), nameB = b.at("/network_info").fieldNames().next();
        assertThat(nameA).isEqualTo("bridge-aaaaaaaaaaaa").isNotEqualTo(nameB);
        assertThat(a.at("/network_info/" + nameA + "/name").asText()).as("netavark hashes this into its chain names").isEqualTo(nameA);
        assertThat(a.at("/networks").fieldNames().next()).as("the per-container options use the same key").isEqualTo(nameA);
        assertThat(b.at("/network_info/" + nameB + "/id").asText()).isEqualTo("b".repeat(64));
    }
}
