package io.berth.cli;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class FormatterTest {
    private static final List<Map<String, Object>> ROWS = List.of(
            new TreeMap<>(Map.of("ID", "645444d5eff4", "Repository", "127.0.0.1:5055/rsch/busybox", "Tag", "1", "Size", "1.98MB")),
            new TreeMap<>(Map.of("ID", "4f3e7c1f76c7", "Repository", "a", "Tag", "bookworm-minbase", "Size", "199MB")));

    @Test void tableHasHeadersAndAlignedColumnsLikeGoTabwriter() {
        String out = Formatter.render("table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}\\t{{.Size}}", "", ROWS,
                ImageCommands.IMAGE_HEADERS);
        assertThat(out).isEqualTo("""
                REPOSITORY                    TAG                IMAGE ID       SIZE
                127.0.0.1:5055/rsch/busybox   1                  645444d5eff4   1.98MB
                a                             bookworm-minbase   4f3e7c1f76c7   199MB
                """);
    }

    @Test void shortColumnsGetTheMinimumWidth() {
        String out = Formatter.render("table {{.Tag}}\t{{.Size}}", "", ROWS.subList(0, 1), ImageCommands.IMAGE_HEADERS);
        assertThat(out).isEqualTo("TAG       SIZE\n1         1.98MB\n");
    }

    @Test void plainTemplateAndJsonLines() {
        assertThat(Formatter.render("{{.Repository}}:{{.Tag}}", "", ROWS, Map.of()))
                .isEqualTo("127.0.0.1:5055/rsch/busybox:1\na:bookworm-minbase\n");
        assertThat(Formatter.render("json", "", ROWS.subList(1, 2), Map.of()))
                .isEqualTo("{\"ID\":\"4f3e7c1f76c7\",\"Repository\":\"a\",\"Size\":\"199MB\",\"Tag\":\"bookworm-minbase\"}\n");
        assertThat(Formatter.render("{{.ID}}\\t{{.Tag}}", "", ROWS.subList(0, 1), Map.of())).isEqualTo("645444d5eff4\t1\n");
    }

    @Test void bareTableUsesTheDefault() {
        assertThat(Formatter.render("table", "{{.Tag}}", ROWS.subList(0, 1), ImageCommands.IMAGE_HEADERS)).isEqualTo("TAG\n1\n");
    }
}
