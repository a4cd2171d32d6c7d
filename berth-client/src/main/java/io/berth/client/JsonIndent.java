package io.berth.client;

/**
 * Re-indents JSON text the way Go's {@code json.Indent} does, which is what docker prints for
 * {@code inspect} (4 spaces) and writes to config.json (a tab): strings are copied byte for byte
 * (so the daemon's escapes survive), empty arrays/objects stay {@code []}/{@code {}}, and there is
 * "key": value spacing without Jackson's space before the colon.
 */
public final class JsonIndent {
    private JsonIndent() { }

    /** Indents {@code json} with {@code indent} per level, each line prefixed by {@code prefix} (not the first). */
    public static String indent(String json, String prefix, String indent) {
        StringBuilder out = new StringBuilder(json.length() * 2);
        int depth = 0;
        boolean inString = false, escape = false, needIndent = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                out.append(c);
                if (escape) escape = false;
                else if (c == '\\') escape = true;
                else if (c == '"') inString = false;
                continue;
            }
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
            if (needIndent && c != ']' && c != '}') {
                needIndent = false;
                depth++;
                newline(out, prefix, indent, depth);
            }
            switch (c) {
                case '"' -> { inString = true; out.append(c); }
                case '{', '[' -> { out.append(c); needIndent = true; }
                case ',' -> { out.append(c); newline(out, prefix, indent, depth); }
                case ':' -> out.append(": ");
                case '}', ']' -> {
                    if (needIndent) needIndent = false; // empty: keep "{}" / "[]"
                    else { depth--; newline(out, prefix, indent, depth); }
                    out.append(c);
                }
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static void newline(StringBuilder out, String prefix, String indent, int depth) {
        out.append('\n').append(prefix);
        for (int i = 0; i < depth; i++) out.append(indent);
    }
}
