package io.berth.cli;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TemplateTest {
    private static final Map<String, Object> IMAGE = new LinkedHashMap<>();
    static {
        IMAGE.put("Id", "sha256:abc");
        IMAGE.put("RepoTags", List.of("busybox:latest", "busybox:1"));
        IMAGE.put("Size", 1982312);
        IMAGE.put("Config", new LinkedHashMap<>(Map.of("Cmd", List.of("sh"), "Labels", Map.of("b", "2", "a", "1"))));
        IMAGE.put("Empty", new ArrayList<>());
        IMAGE.put("Nothing", null);
        IMAGE.put("Html", "<none>");
    }

    private static String render(String t) { return Template.parse(t).render(IMAGE); }

    @Test void fieldsAndNesting() {
        assertThat(render("{{.Id}}")).isEqualTo("sha256:abc");
        assertThat(render("id={{.Id}} size={{.Size}}")).isEqualTo("id=sha256:abc size=1982312");
        assertThat(render("{{.Config.Cmd}}")).isEqualTo("[sh]");
        assertThat(render("{{.Config.Labels}}")).isEqualTo("map[a:1 b:2]");
        assertThat(render("{{.Missing}}")).isEqualTo("<no value>");
        assertThat(render("{{.Nothing}}")).isEqualTo("<nil>");
        assertThat(render("{{$.Id}}")).isEqualTo("sha256:abc");
    }

    @Test void functionsAndPipelines() {
        assertThat(render("{{json .RepoTags}}")).isEqualTo("[\"busybox:latest\",\"busybox:1\"]");
        assertThat(render("{{json .Html}}")).isEqualTo("\"<none>\"");
        assertThat(render("{{json .Config.Cmd}}")).isEqualTo("[\"sh\"]");
        assertThat(render("{{join .RepoTags \", \"}}")).isEqualTo("busybox:latest, busybox:1");
        assertThat(render("{{.Id | upper}}")).isEqualTo("SHA256:ABC");
        assertThat(render("{{upper .Id}} {{lower \"AB\"}} {{title \"hello world\"}}")).isEqualTo("SHA256:ABC ab Hello World");
        assertThat(render("{{truncate .Id 6}}")).isEqualTo("sha256");
        assertThat(render("{{index .RepoTags 1}}|{{index .Config.Labels \"a\"}}")).isEqualTo("busybox:1|1");
        assertThat(render("{{len .RepoTags}}")).isEqualTo("2");
        assertThat(render("{{split \"a:b\" \":\"}}")).isEqualTo("[a b]");
    }

    @Test void rangeIfWithElseAndTrim() {
        assertThat(render("{{range .RepoTags}}<{{.}}>{{end}}")).isEqualTo("<busybox:latest><busybox:1>");
        assertThat(render("{{range .Empty}}x{{else}}none{{end}}")).isEqualTo("none");
        assertThat(render("{{if .Empty}}yes{{else}}no{{end}}")).isEqualTo("no");
        assertThat(render("{{if eq .Id \"sha256:abc\"}}same{{end}}")).isEqualTo("same");
        assertThat(render("{{if ne .Size 1982312}}x{{else}}y{{end}}")).isEqualTo("y");
        assertThat(render("{{with .Config}}{{.Cmd}}{{end}}")).isEqualTo("[sh]");
        assertThat(render("a  {{- .Id -}}  b")).isEqualTo("asha256:abcb");
        assertThat(render("{{range $.RepoTags}}{{$.Id}} {{end}}")).isEqualTo("sha256:abc sha256:abc ");
    }

    @Test void wholeDotAsJson() {
        assertThat(Template.parse("{{json .}}").render(Map.of("A", "1"))).isEqualTo("{\"A\":\"1\"}");
    }

    @Test void parseErrorsAreUsageErrors() {
        assertThatThrownBy(() -> Template.parse("{{.Id")).isInstanceOf(UsageException.class).hasMessageContaining("unclosed action");
        assertThatThrownBy(() -> Template.parse("{{nosuchfn .Id}}")).hasMessageContaining("function \"nosuchfn\" not defined");
        assertThatThrownBy(() -> Template.parse("{{range .X}}")).hasMessageContaining("missing {{end}}");
        assertThatThrownBy(() -> Template.parse("{{end}}")).hasMessageContaining("unexpected {{end}}");
        assertThatThrownBy(() -> render("{{.Id.Foo}}")).hasMessageContaining("can't evaluate field Foo");
    }

    @Test void printsLikeGo() {
        assertThat(Template.print(Arrays.asList("a", null))).isEqualTo("[a <nil>]");
        assertThat(Template.print(3.0)).isEqualTo("3");
        assertThat(Template.print(true)).isEqualTo("true");
    }
}
