package io.berth.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.berth.client.Json;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The subset of Go's text/template that docker's {@code --format} users write: field chains
 * ({@code {{.ID}}}, {@code {{.Config.Env}}}, {@code {{.}}}, {@code {{$.X}}}), docker's functions
 * ({@code json join split lower upper title truncate pad println len index eq ne not}), pipelines
 * ({@code {{.Tags | join ","}}}), {@code range}/{@code if}/{@code with} with {@code else} and
 * {@code end}, and the {@code {{-}}} trim markers. Data is plain Java: Map, List, String,
 * Number, Boolean, null (JSON decoded generically), so values print the way Go prints
 * interface values ({@code [a b]}, {@code map[k:v]}).
 *
 * <p>{@code table} formats are handled by {@link Formatter}; this class only renders.
 */
final class Template {
    /** What a missing map key evaluates to; prints as Go does. */
    static final Object NO_VALUE = new Object() { @Override public String toString() { return "<no value>"; } };

    private sealed interface Node { }
    private record Text(String text) implements Node { }
    private record Action(List<List<Object>> pipeline) implements Node { }
    private record Block(String kind, List<List<Object>> pipeline, List<Node> body, List<Node> elseBody) implements Node { }
    /** An operand: a field chain (null name for "."), the root "$", a function name, or a literal. */
    private record Field(boolean fromRoot, List<String> path) { }
    private record Ident(String name) { }
    private record Literal(Object value) { }

    private final String source;
    private final List<Node> nodes;

    private Template(String source, List<Node> nodes) { this.source = source; this.nodes = nodes; }

    /** Parses; throws UsageException naming the problem ("template parsing error: …"). */
    static Template parse(String text) {
        List<String[]> tokens = tokenize(text);
        int[] pos = {0};
        List<Node> nodes = parseList(tokens, pos, text, false);
        if (pos[0] < tokens.size()) throw error(text, "unexpected {{" + tokens.get(pos[0])[1] + "}}");
        return new Template(text, nodes);
    }

    String source() { return source; }

    String render(Object data) {
        StringBuilder out = new StringBuilder();
        exec(nodes, data, data, out);
        return out.toString();
    }

    // ------------------------------------------------------------------ parsing

    /** Splits into {"t", text} and {"a", action} tokens, applying "{{-" / "-}}" whitespace trimming. */
    private static List<String[]> tokenize(String s) {
        List<String[]> out = new ArrayList<>();
        int i = 0;
        boolean trimNext = false;
        while (i < s.length()) {
            int open = s.indexOf("{{", i);
            String text = open < 0 ? s.substring(i) : s.substring(i, open);
            if (trimNext) text = text.stripLeading();
            trimNext = false;
            if (open < 0) { if (!text.isEmpty()) out.add(new String[]{"t", text}); break; }
            int close = s.indexOf("}}", open + 2);
            if (close < 0) throw error(s, "unclosed action");
            String action = s.substring(open + 2, close);
            if (action.startsWith("-") && (action.length() == 1 || Character.isWhitespace(action.charAt(1)))) {
                text = text.stripTrailing();
                action = action.substring(1);
            }
            if (action.endsWith("-") && (action.length() == 1 || Character.isWhitespace(action.charAt(action.length() - 2)))) {
                trimNext = true;
                action = action.substring(0, action.length() - 1);
            }
            if (!text.isEmpty()) out.add(new String[]{"t", text});
            out.add(new String[]{"a", action.strip()});
            i = close + 2;
        }
        return out;
    }

    private static List<Node> parseList(List<String[]> tokens, int[] pos, String src, boolean inBlock) {
        List<Node> nodes = new ArrayList<>();
        while (pos[0] < tokens.size()) {
            String[] t = tokens.get(pos[0]);
            if (t[0].equals("t")) { nodes.add(new Text(t[1])); pos[0]++; continue; }
            String a = t[1];
            String word = a.split("\\s+", 2)[0];
            if (word.equals("end") || word.equals("else")) {
                if (!inBlock) throw error(src, "unexpected {{" + word + "}}");
                return nodes;
            }
            pos[0]++;
            if (a.startsWith("/*")) continue; // comment
            if (word.equals("range") || word.equals("if") || word.equals("with")) {
                List<List<Object>> p = parsePipeline(a.substring(word.length()).strip(), src);
                List<Node> body = parseList(tokens, pos, src, true);
                List<Node> elseBody = List.of();
                if (pos[0] >= tokens.size()) throw error(src, "unexpected EOF: missing {{end}}");
                if (tokens.get(pos[0])[1].equals("else")) {
                    pos[0]++;
                    elseBody = parseList(tokens, pos, src, true);
                    if (pos[0] >= tokens.size()) throw error(src, "unexpected EOF: missing {{end}}");
                }
                if (!tokens.get(pos[0])[1].equals("end")) throw error(src, "unexpected {{" + tokens.get(pos[0])[1] + "}}");
                pos[0]++;
                nodes.add(new Block(word, p, body, elseBody));
            } else {
                nodes.add(new Action(parsePipeline(a, src)));
            }
        }
        if (inBlock) throw error(src, "unexpected EOF: missing {{end}}");
        return nodes;
    }

    private static List<List<Object>> parsePipeline(String s, String src) {
        List<List<Object>> cmds = new ArrayList<>();
        List<Object> cmd = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) { i++; continue; }
            if (c == '|') {
                if (cmd.isEmpty()) throw error(src, "missing command before '|'");
                cmds.add(cmd); cmd = new ArrayList<>(); i++; continue;
            }
            if (c == '"') {
                StringBuilder b = new StringBuilder();
                int j = i + 1;
                for (; j < s.length() && s.charAt(j) != '"'; j++) {
                    char d = s.charAt(j);
                    if (d == '\\' && j + 1 < s.length()) {
                        char e = s.charAt(++j);
                        b.append(switch (e) { case 'n' -> '\n'; case 't' -> '\t'; default -> e; });
                    } else b.append(d);
                }
                if (j >= s.length()) throw error(src, "unterminated quoted string");
                cmd.add(new Literal(b.toString()));
                i = j + 1;
                continue;
            }
            if (c == '`') {
                int j = s.indexOf('`', i + 1);
                if (j < 0) throw error(src, "unterminated raw quoted string");
                cmd.add(new Literal(s.substring(i + 1, j)));
                i = j + 1;
                continue;
            }
            int j = i;
            while (j < s.length() && !Character.isWhitespace(s.charAt(j)) && s.charAt(j) != '|') j++;
            String word = s.substring(i, j);
            i = j;
            if (word.equals(".")) cmd.add(new Field(false, List.of()));
            else if (word.startsWith(".")) cmd.add(new Field(false, List.of(word.substring(1).split("\\."))));
            else if (word.equals("$")) cmd.add(new Field(true, List.of()));
            else if (word.startsWith("$.")) cmd.add(new Field(true, List.of(word.substring(2).split("\\."))));
            else if (word.matches("-?\\d+")) cmd.add(new Literal(Long.parseLong(word)));
            else if (word.equals("true") || word.equals("false")) cmd.add(new Literal(Boolean.parseBoolean(word)));
            else if (word.matches("[A-Za-z_]\\w*")) {
                if (!FUNCTIONS.contains(word)) throw error(src, "function \"" + word + "\" not defined");
                cmd.add(new Ident(word));
            } else throw error(src, "unexpected \"" + word + "\" in command");
        }
        if (cmd.isEmpty()) throw error(src, "missing value for command");
        cmds.add(cmd);
        return cmds;
    }

    private static final List<String> FUNCTIONS = List.of("json", "join", "split", "lower", "upper", "title",
            "truncate", "pad", "println", "print", "len", "index", "eq", "ne", "not", "and", "or");

    private static UsageException error(String src, String what) {
        return new UsageException("template parsing error: template: :1: " + what + " (in \"" + src + "\")");
    }

    // ------------------------------------------------------------------ execution

    private void exec(List<Node> list, Object dot, Object root, StringBuilder out) {
        for (Node n : list) {
            switch (n) {
                case Text t -> out.append(t.text());
                case Action a -> out.append(print(eval(a.pipeline(), dot, root)));
                case Block b -> {
                    Object v = eval(b.pipeline(), dot, root);
                    switch (b.kind()) {
                        case "if" -> exec(truthy(v) ? b.body() : b.elseBody(), dot, root, out);
                        case "with" -> { if (truthy(v)) exec(b.body(), v, root, out); else exec(b.elseBody(), dot, root, out); }
                        default -> { // range
                            Collection<?> items = v instanceof List<?> l ? l
                                    : v instanceof Map<?, ?> m ? new TreeMap<>(m).values() : List.of();
                            if (items.isEmpty()) exec(b.elseBody(), dot, root, out);
                            for (Object item : items) exec(b.body(), item, root, out);
                        }
                    }
                }
            }
        }
    }

    private Object eval(List<List<Object>> pipeline, Object dot, Object root) {
        Object prev = null;
        boolean first = true;
        for (List<Object> cmd : pipeline) {
            List<Object> operands = new ArrayList<>(cmd);
            if (!first) operands.add(new Literal(prev));
            prev = evalCommand(operands, dot, root);
            first = false;
        }
        return prev;
    }

    private Object evalCommand(List<Object> cmd, Object dot, Object root) {
        Object head = cmd.getFirst();
        if (!(head instanceof Ident(String fn))) {
            if (cmd.size() > 1) throw new UsageException("template: " + source + ": can't give argument to non-function");
            return operand(head, dot, root);
        }
        List<Object> args = new ArrayList<>();
        for (Object o : cmd.subList(1, cmd.size())) args.add(operand(o, dot, root));
        return call(fn, args);
    }

    private Object operand(Object o, Object dot, Object root) {
        return switch (o) {
            case Literal(Object v) -> v;
            case Field(boolean fromRoot, List<String> path) -> {
                Object v = fromRoot ? root : dot;
                for (String key : path) {
                    if (v instanceof Map<?, ?> m) v = m.containsKey(key) ? m.get(key) : NO_VALUE;
                    else if (v == null || v == NO_VALUE) v = NO_VALUE;
                    else throw new UsageException("template: " + source + ": can't evaluate field " + key + " in type " + typeName(v));
                }
                yield v;
            }
            case Ident(String fn) -> call(fn, List.of());
            default -> throw new IllegalStateException("unknown operand " + o);
        };
    }

    private Object call(String fn, List<Object> a) {
        return switch (fn) {
            case "json" -> { need(fn, a, 1); yield json(a.getFirst()); }
            case "join" -> {
                need(fn, a, 2);
                List<String> parts = new ArrayList<>();
                if (a.get(0) instanceof List<?> l) for (Object x : l) parts.add(print(x));
                yield String.join(print(a.get(1)), parts);
            }
            case "split" -> { need(fn, a, 2); yield List.of((Object[]) print(a.get(0)).split(java.util.regex.Pattern.quote(print(a.get(1))), -1)); }
            case "lower" -> { need(fn, a, 1); yield print(a.getFirst()).toLowerCase(Locale.ROOT); }
            case "upper" -> { need(fn, a, 1); yield print(a.getFirst()).toUpperCase(Locale.ROOT); }
            case "title" -> {
                need(fn, a, 1);
                String s = print(a.getFirst());
                StringBuilder b = new StringBuilder(s.length());
                boolean start = true;
                for (char c : s.toCharArray()) { b.append(start ? Character.toUpperCase(c) : c); start = !Character.isLetterOrDigit(c); }
                yield b.toString();
            }
            case "truncate" -> {
                need(fn, a, 2);
                String s = print(a.get(0));
                int n = (int) number(a.get(1));
                yield s.codePointCount(0, s.length()) <= n ? s : s.substring(0, s.offsetByCodePoints(0, n));
            }
            case "pad" -> { need(fn, a, 3); yield " ".repeat((int) number(a.get(1))) + print(a.get(0)) + " ".repeat((int) number(a.get(2))); }
            case "println" -> { StringBuilder b = new StringBuilder(); for (int i = 0; i < a.size(); i++) { if (i > 0) b.append(' '); b.append(print(a.get(i))); } yield b.append('\n').toString(); }
            case "print" -> { StringBuilder b = new StringBuilder(); for (Object x : a) b.append(print(x)); yield b.toString(); }
            case "len" -> {
                need(fn, a, 1);
                Object v = a.getFirst();
                yield (long) (v instanceof Collection<?> c ? c.size() : v instanceof Map<?, ?> m ? m.size() : print(v).length());
            }
            case "index" -> {
                if (a.isEmpty()) need(fn, a, 2);
                Object v = a.getFirst();
                for (Object k : a.subList(1, a.size())) {
                    if (v instanceof Map<?, ?> m) v = m.containsKey(print(k)) ? m.get(print(k)) : NO_VALUE;
                    else if (v instanceof List<?> l) {
                        int i = (int) number(k);
                        if (i < 0 || i >= l.size()) throw new UsageException("template: " + source + ": error calling index: index out of range: " + i);
                        v = l.get(i);
                    } else v = NO_VALUE;
                }
                yield v;
            }
            case "eq" -> { need(fn, a, 2); yield same(a.get(0), a.get(1)); }
            case "ne" -> { need(fn, a, 2); yield !same(a.get(0), a.get(1)); }
            case "not" -> { need(fn, a, 1); yield !truthy(a.getFirst()); }
            case "and" -> { Object last = true; for (Object x : a) { last = x; if (!truthy(x)) break; } yield last; }
            case "or" -> { Object last = false; for (Object x : a) { last = x; if (truthy(x)) break; } yield last; }
            default -> throw new UsageException("template: function \"" + fn + "\" not defined");
        };
    }

    private void need(String fn, List<Object> a, int n) {
        if (a.size() != n)
            throw new UsageException("template: " + source + ": wrong number of args for " + fn + ": want " + n + " got " + a.size());
    }

    private static boolean same(Object x, Object y) {
        if (x instanceof Number p && y instanceof Number q) return p.doubleValue() == q.doubleValue();
        return print(x).equals(print(y)) && (x == null) == (y == null);
    }

    private double number(Object o) {
        if (o instanceof Number n) return n.doubleValue();
        try { return Double.parseDouble(print(o)); }
        catch (NumberFormatException e) { throw new UsageException("template: " + source + ": expected a number, got " + print(o)); }
    }

    static boolean truthy(Object v) {
        return switch (v) {
            case null -> false;
            case Boolean b -> b;
            case String s -> !s.isEmpty();
            case Number n -> n.doubleValue() != 0;
            case Collection<?> c -> !c.isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            default -> v != NO_VALUE;
        };
    }

    /** Go's default printing of interface values: maps sorted as map[k:v], lists as [a b], nil as &lt;nil&gt;. */
    static String print(Object v) {
        return switch (v) {
            case null -> "<nil>";
            case String s -> s;
            case Double d -> d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e21 ? Long.toString(d.longValue()) : Units.formatG(d, 17).replace(".0e", "e");
            case Float f -> print(f.doubleValue());
            case List<?> l -> {
                StringBuilder b = new StringBuilder("[");
                for (int i = 0; i < l.size(); i++) { if (i > 0) b.append(' '); b.append(print(l.get(i))); }
                yield b.append(']').toString();
            }
            case Map<?, ?> m -> {
                StringBuilder b = new StringBuilder("map[");
                boolean first = true;
                for (Map.Entry<?, ?> e : new TreeMap<>(m).entrySet()) {
                    if (!first) b.append(' ');
                    first = false;
                    b.append(e.getKey()).append(':').append(print(e.getValue()));
                }
                yield b.append(']').toString();
            }
            default -> v.toString();
        };
    }

    /** Compact JSON like docker's {@code json} function (HTML characters are not escaped). */
    static String json(Object v) {
        if (v == NO_VALUE) return "null";
        try { return Json.mapper().writeValueAsString(v); }
        catch (JsonProcessingException e) { throw new IllegalStateException("encoding template value as JSON", e); }
    }

    private static String typeName(Object v) {
        return switch (v) {
            case String s -> "string";
            case Number n -> "number";
            case Boolean b -> "bool";
            case List<?> l -> "[]interface {}";
            default -> v.getClass().getSimpleName();
        };
    }
}
