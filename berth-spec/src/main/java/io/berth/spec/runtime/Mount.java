package io.berth.spec.runtime;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * An OCI runtime-spec mount. Snapshotters return these without a destination (the caller decides
 * where the root goes); the runtime consumes them. It is the value subsystems meet through.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Mount(
        @JsonProperty("destination") String destination,
        @JsonProperty("type") String type,
        @JsonProperty("source") String source,
        @JsonProperty("options") List<String> options) {

    public Mount withDestination(String d) { return new Mount(d, type, source, options); }
}
