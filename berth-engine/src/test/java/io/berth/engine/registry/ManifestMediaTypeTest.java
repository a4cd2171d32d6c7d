package io.berth.engine.registry;

import io.berth.api.BerthException;
import io.berth.spec.image.MediaTypes;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ManifestMediaTypeTest {
    static String mt(String contentType, String body) {
        return RegistryClient.mediaTypeOf("resolving x", contentType, body.getBytes());
    }

    @Test
    void bodyMediaTypeWinsOverContentType() {
        assertThat(mt(MediaTypes.OCI_MANIFEST, "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST_LIST + "\",\"manifests\":[]}"))
                .isEqualTo(MediaTypes.DOCKER_MANIFEST_LIST);
    }

    @Test
    void contentTypeWithParametersThenShape() {
        assertThat(mt(MediaTypes.DOCKER_MANIFEST + "; charset=utf-8", "{\"schemaVersion\":2,\"config\":{},\"layers\":[]}"))
                .isEqualTo(MediaTypes.DOCKER_MANIFEST);
        assertThat(mt("application/json", "{\"schemaVersion\":2,\"manifests\":[]}")).isEqualTo(MediaTypes.OCI_INDEX);
        assertThat(mt(null, "{\"schemaVersion\":2,\"config\":{},\"layers\":[]}")).isEqualTo(MediaTypes.OCI_MANIFEST);
    }

    @Test
    void schema1AndUnknownTypesAndNonJsonAreRefused() {
        assertThatThrownBy(() -> mt("application/vnd.docker.distribution.manifest.v1+prettyjws", "{\"schemaVersion\":1,\"fsLayers\":[]}"))
                .isInstanceOf(BerthException.class).hasMessageContaining("schema 1 is not supported");
        assertThatThrownBy(() -> mt("application/json", "{\"schemaVersion\":1,\"fsLayers\":[]}"))
                .hasMessageContaining("schema 1");
        assertThatThrownBy(() -> mt("application/vnd.example+json", "{\"schemaVersion\":2}"))
                .hasMessageContaining("unsupported manifest media type \"application/vnd.example+json\"");
        assertThatThrownBy(() -> mt(MediaTypes.OCI_MANIFEST, "<html>"))
                .isInstanceOfSatisfying(BerthException.class, e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.DATA_LOSS));
    }
}
