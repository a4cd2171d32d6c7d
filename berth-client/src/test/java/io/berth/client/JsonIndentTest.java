package io.berth.client;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JsonIndentTest {
    @Test void indentsLikeGoJsonIndent() {
        String in = "[{\"Id\":\"sha256:1\",\"RepoTags\":[\"a:1\",\"b\"],\"Empty\":[],\"Obj\":{},\"N\":null,\"S\":\"x, {y}: [z] \\\" \\u003c\"}]";
        assertThat(JsonIndent.indent(in, "", "    ")).isEqualTo("""
                [
                    {
                        "Id": "sha256:1",
                        "RepoTags": [
                            "a:1",
                            "b"
                        ],
                        "Empty": [],
                        "Obj": {},
                        "N": null,
                        "S": "x, {y}: [z] \\" \\u003c"
                    }
                ]""");
    }

    @Test void emptyArrayStaysCompact() {
        assertThat(JsonIndent.indent("[ ]", "", "    ")).isEqualTo("[]");
    }
}
