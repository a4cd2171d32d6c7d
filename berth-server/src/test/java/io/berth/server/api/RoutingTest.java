package io.berth.server.api;

import io.berth.api.BerthException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoutingTest {
    @Test void splitsVersionPrefix() {
        assertThat(ApiVersion.split("/v1.44/images/json")).isEqualTo(new ApiVersion.Split(new ApiVersion(1, 44), "/images/json"));
        assertThat(ApiVersion.split("/images/json")).isEqualTo(new ApiVersion.Split(null, "/images/json"));
        assertThat(ApiVersion.split("/v1.24/_ping").version()).isEqualTo(ApiVersion.MIN);
        // Not prefixes: an image literally named v1.2x would be /images/v1.2/json.
        assertThat(ApiVersion.split("/v1/images/json").version()).isNull();
        assertThat(ApiVersion.split("/vx.1/_ping").version()).isNull();
        assertThat(ApiVersion.split("/v1.44").path()).isEqualTo("/");
    }

    @Test void comparesNumerically() {
        assertThat(new ApiVersion(1, 9).lessThan(new ApiVersion(1, 10))).isTrue();
        assertThat(new ApiVersion(1, 44).compareTo(ApiVersion.MAX)).isZero();
        assertThat(new ApiVersion(2, 0).lessThan(ApiVersion.MAX)).isFalse();
    }

    @Test void versionLimitsUseDockersWords() {
        ApiDispatcher.checkVersion(new ApiVersion(1, 24));
        ApiDispatcher.checkVersion(new ApiVersion(1, 44));
        assertThatThrownBy(() -> ApiDispatcher.checkVersion(new ApiVersion(1, 45)))
                .isInstanceOfSatisfying(HttpError.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.plainText()).isFalse();
                    assertThat(e.getMessage()).isEqualTo("client version 1.45 is too new. Maximum supported API version is 1.44");
                });
        assertThatThrownBy(() -> ApiDispatcher.checkVersion(new ApiVersion(1, 23)))
                .isInstanceOfSatisfying(HttpError.class, e -> {
                    assertThat(e.plainText()).isTrue();
                    assertThat(e.getMessage()).isEqualTo("client version 1.23 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version");
                });
    }

    @Test void routesBySuffixWithSlashesAndColonsInNames() {
        Router r = new Router();
        Router.Handler list = x -> { }, inspect = x -> { }, del = x -> { }, get = x -> { };
        r.add("GET", "/images/json", list).add("GET", "/images/get", get)
         .add("GET", "/images/{name:.+}/json", inspect).add("DELETE", "/images/{name:.+}", del);
        assertThat(r.match("GET", "/images/json").orElseThrow().handler()).isSameAs(list);
        var m = r.match("GET", "/images/127.0.0.1:5000/a/b:1/json").orElseThrow();
        assertThat(m.handler()).isSameAs(inspect);
        assertThat(m.params()).containsEntry("name", "127.0.0.1:5000/a/b:1");
        assertThat(r.match("GET", "/images/json/json").orElseThrow().params()).containsEntry("name", "json");
        assertThat(r.match("DELETE", "/images/a/b@sha256:00").orElseThrow().params()).containsEntry("name", "a/b@sha256:00");
        assertThat(r.match("POST", "/images/json")).isEmpty();
        assertThat(r.match("GET", "/images//json")).isEmpty();
    }

    @Test void segmentParamsDoNotSpanSlashes() {
        Router r = new Router().add("GET", "/containers/{id}/json", x -> { });
        assertThat(r.match("GET", "/containers/abc/json")).isPresent();
        assertThat(r.match("GET", "/containers/a/b/json")).isEmpty();
    }

    @Test void booleansAsDockerReadsThem() {
        for (String t : List.of("1", "true", "True", "yes", "anything")) assertThat(Params.bool(t)).as(t).isTrue();
        for (String f : new String[]{null, "", "0", "false", "FALSE", "no", "none", " 0 "}) assertThat(Params.bool(f)).as(f).isFalse();
    }

    @Test void filtersInBothForms() {
        Map<String, List<String>> map = Params.filters("{\"label\":{\"a=1\":true,\"b\":true,\"off\":false},\"dangling\":{\"true\":true}}");
        assertThat(map).containsEntry("label", List.of("a=1", "b")).containsEntry("dangling", List.of("true"));
        Map<String, List<String>> arr = Params.filters("{\"label\":[\"org.testcontainers=true\",\"x\"],\"reference\":[\"busy*\"]}");
        assertThat(arr).containsEntry("label", List.of("org.testcontainers=true", "x")).containsEntry("reference", List.of("busy*"));
        assertThat(Params.filters(null)).isEmpty();
        assertThat(Params.filters("")).isEmpty();
        assertThat(Params.filters("{}")).isEmpty();
        assertThatThrownBy(() -> Params.filters("{nope")).isInstanceOf(BerthException.class)
                .extracting(e -> ((BerthException) e).kind()).isEqualTo(BerthException.Kind.INVALID_ARGUMENT);
        assertThatThrownBy(() -> Params.filters("[1]")).isInstanceOf(BerthException.class);
    }

    @Test void boolFilters() {
        assertThat(Params.boolFilter(Map.of(), "dangling")).isNull();
        assertThat(Params.boolFilter(Map.of("dangling", List.of("true")), "dangling")).isTrue();
        assertThat(Params.boolFilter(Map.of("dangling", List.of("0")), "dangling")).isFalse();
        assertThatThrownBy(() -> Params.boolFilter(Map.of("dangling", List.of("maybe")), "dangling"))
                .hasMessage("invalid filter 'dangling=maybe'");
        assertThatThrownBy(() -> Params.boolFilter(Map.of("dangling", List.of("true", "false")), "dangling"))
                .isInstanceOf(BerthException.class);
        assertThatThrownBy(() -> Params.checkKeys(Map.of("before", List.of()), java.util.Set.of("label")))
                .hasMessage("invalid filter 'before'");
    }

    @Test void errorKindsMapToDockerStatuses() {
        Map<BerthException.Kind, Integer> want = Map.of(
                BerthException.Kind.NOT_FOUND, 404, BerthException.Kind.CONFLICT, 409,
                BerthException.Kind.INVALID_ARGUMENT, 400, BerthException.Kind.NOT_MODIFIED, 304,
                BerthException.Kind.UNAUTHORIZED, 401, BerthException.Kind.UNAVAILABLE, 500,
                BerthException.Kind.DATA_LOSS, 500, BerthException.Kind.INTERNAL, 500);
        for (BerthException.Kind k : BerthException.Kind.values()) assertThat(ErrorMapper.status(k)).as(k.name()).isEqualTo(want.get(k));
    }

    @Test void pullReferenceCombinesFromImageAndTag() {
        assertThat(ImageRoutes.pullReference("busybox", "latest")).isEqualTo("busybox:latest");
        assertThat(ImageRoutes.pullReference("busybox", "")).isEqualTo("busybox:latest");
        assertThat(ImageRoutes.pullReference("busybox:1.36", "")).isEqualTo("busybox:1.36");
        assertThat(ImageRoutes.pullReference("busybox:1.36", "1.37")).isEqualTo("busybox:1.37");
        assertThat(ImageRoutes.pullReference("127.0.0.1:5055/rsch/busybox", "1")).isEqualTo("127.0.0.1:5055/rsch/busybox:1");
        String d = "sha256:" + "b".repeat(64);
        assertThat(ImageRoutes.pullReference("docker.io/library/busybox", d)).isEqualTo("busybox@" + d);
        assertThat(ImageRoutes.pullReference("busybox@" + d, "")).isEqualTo("busybox@" + d);
        assertThatThrownBy(() -> ImageRoutes.pullReference("Busybox", "1")).isInstanceOf(BerthException.class);
        assertThatThrownBy(() -> ImageRoutes.pullReference("busybox", "bad tag")).isInstanceOf(BerthException.class);
    }
}
