package io.berth.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Docker's {@code --format} conventions on top of {@link Template}: {@code json} prints each row
 * as one JSON line, {@code table …} prints a header row (field names mapped to docker's column
 * titles) and aligns columns with {@link TabWriter}, anything else is a template per row. A
 * literal {@code \t} or {@code \n} typed in the shell means a tab or newline, as in docker.
 */
final class Formatter {
    private Formatter() { }

    static boolean isTable(String format) { return format.startsWith("table"); }

    /**
     * @param format        the user's --format (or the command's default, which is a table)
     * @param defaultTable  the table template used for a bare "table"
     * @param headers       field → column title, e.g. "ID" → "IMAGE ID"
     */
    static String render(String format, String defaultTable, List<? extends Map<String, ?>> rows, Map<String, String> headers) {
        if (format.equals("json")) format = "{{json .}}";
        boolean table = isTable(format);
        String body = table ? format.substring(5).strip() : format;
        if (table && body.isEmpty()) body = defaultTable;
        body = body.replace("\\t", "\t").replace("\\n", "\n");
        Template t = Template.parse(body);
        StringBuilder out = new StringBuilder();
        if (!table) {
            for (Map<String, ?> row : rows) out.append(t.render(row)).append('\n');
            return out.toString();
        }
        Map<String, Object> head = new LinkedHashMap<>();
        if (!rows.isEmpty()) for (String k : rows.getFirst().keySet()) head.put(k, headers.getOrDefault(k, k.toUpperCase(java.util.Locale.ROOT)));
        headers.forEach(head::putIfAbsent);
        TabWriter w = new TabWriter();
        w.write(t.render(head) + "\n");
        for (Map<String, ?> row : rows) w.write(t.render(row) + "\n");
        return w.render();
    }
}
