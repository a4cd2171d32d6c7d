package io.berth.spec.runtime;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** The container's root file system: a path (absolute, or relative to the bundle) and whether it is read-only. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Root(@JsonProperty("path") String path, @JsonProperty("readonly") Boolean readonly) {
    public Root withReadonly(boolean ro) { return new Root(path, ro); }
    public Root withPath(String p) { return new Root(p, readonly); }
}
