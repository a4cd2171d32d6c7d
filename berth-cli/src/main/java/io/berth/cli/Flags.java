package io.berth.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A docker-style (pflag) command-line parser: {@code -q}, {@code --quiet}, {@code -f x},
 * {@code -fx}, {@code -f=x}, {@code --filter x}, {@code --filter=x}, combined short flags
 * {@code -aq}, repeated flags collected in order, {@code --bool=false}, {@code --} ending flags, and
 * flags interspersed with arguments.
 *
 * <p>Hand-written instead of picocli: picocli discovers options by reflecting over annotated
 * fields, which loads and links hundreds of classes and costs ~250 ms of the CLI's start-up here;
 * this parser is a few small classes with no reflection.
 */
final class Flags {
    /** One flag: long name without dashes, short letter (0 for none), whether it takes a value. */
    record Spec(String name, char shortName, boolean takesValue, String valueName, String help, String defaultValue) { }

    private final String usage;
    private final String description;
    private final Map<String, Spec> byName = new LinkedHashMap<>();
    private final Map<Character, Spec> byShort = new HashMap<>();
    private boolean interspersed = true;

    /** @param usage e.g. "berth images [OPTIONS] [REPOSITORY[:TAG]]" */
    Flags(String usage, String description) {
        this.usage = usage;
        this.description = description;
        bool("help", '\0', "Print usage");
    }

    Flags bool(String name, char shortName, String help) {
        return add(new Spec(name, shortName, false, null, help, null));
    }

    Flags value(String name, char shortName, String valueName, String help) {
        return add(new Spec(name, shortName, true, valueName, help, null));
    }

    Flags value(String name, char shortName, String valueName, String help, String defaultValue) {
        return add(new Spec(name, shortName, true, valueName, help, defaultValue));
    }

    private Flags add(Spec s) {
        byName.put(s.name(), s);
        if (s.shortName() != 0) byShort.put(s.shortName(), s);
        return this;
    }

    /** Flags end at the first argument ({@code run IMAGE ls -l}: "-l" belongs to the command), as docker's run and exec. */
    Flags noInterspersed() { interspersed = false; return this; }

    String usage() { return usage; }

    /** The text {@code --help} prints, laid out like docker's. */
    String help() {
        StringBuilder b = new StringBuilder();
        b.append("\nUsage:  ").append(usage).append("\n\n").append(description).append("\n");
        List<String[]> rows = new ArrayList<>();
        for (Spec s : byName.values()) {
            String left = (s.shortName() != 0 ? "-" + s.shortName() + ", " : "    ") + "--" + s.name()
                    + (s.takesValue() ? " " + s.valueName() : "");
            String right = s.help() + (s.defaultValue() != null ? " (default \"" + s.defaultValue() + "\")" : "");
            rows.add(new String[]{left, right});
        }
        int w = 0;
        for (String[] r : rows) w = Math.max(w, r[0].length());
        b.append("\nOptions:\n");
        for (String[] r : rows) b.append("  ").append(r[0]).append(" ".repeat(w - r[0].length() + 3)).append(r[1]).append('\n');
        return b.toString();
    }

    Parsed parse(List<String> args) {
        Map<String, List<String>> values = new HashMap<>();
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) { positional.addAll(args.subList(i + 1, args.size())); break; }
            if (a.startsWith("--")) {
                String name = a.substring(2), val = null;
                int eq = name.indexOf('=');
                if (eq >= 0) { val = name.substring(eq + 1); name = name.substring(0, eq); }
                Spec s = byName.get(name);
                if (s == null) throw new UsageException("unknown flag: --" + name);
                if (s.takesValue()) {
                    if (val == null) {
                        if (i + 1 >= args.size()) throw new UsageException("flag needs an argument: --" + name);
                        val = args.get(++i);
                    }
                } else if (val == null) val = "true";
                else if (!val.equals("true") && !val.equals("false"))
                    throw new UsageException("invalid argument \"" + val + "\" for \"--" + name + "\" flag: strconv.ParseBool: parsing \"" + val + "\": invalid syntax");
                values.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(val);
            } else if (a.startsWith("-") && a.length() > 1) {
                for (int j = 1; j < a.length(); j++) {
                    char c = a.charAt(j);
                    Spec s = c == 'h' && !byShort.containsKey('h') ? byName.get("help") : byShort.get(c);
                    if (s == null) throw new UsageException("unknown shorthand flag: '" + c + "' in " + a);
                    if (!s.takesValue()) {
                        values.computeIfAbsent(s.name(), k -> new ArrayList<>()).add("true");
                        continue;
                    }
                    String val;
                    if (j + 1 < a.length()) val = a.charAt(j + 1) == '=' ? a.substring(j + 2) : a.substring(j + 1);
                    else if (i + 1 < args.size()) val = args.get(++i);
                    else throw new UsageException("flag needs an argument: '" + c + "' in -" + c);
                    values.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(val);
                    break;
                }
            } else if (!interspersed) {
                positional.addAll(args.subList(i, args.size()));
                break;
            } else {
                positional.add(a);
            }
        }
        return new Parsed(this, values, positional);
    }

    /** The result of parsing: flag values by long name, and the positional arguments in order. */
    static final class Parsed {
        private final Flags flags;
        private final Map<String, List<String>> values;
        private final List<String> args;

        Parsed(Flags flags, Map<String, List<String>> values, List<String> args) {
            this.flags = flags;
            this.values = values;
            this.args = List.copyOf(args);
        }

        /** A boolean flag: the last occurrence wins ({@code -q --quiet=false} is false). */
        boolean bool(String name) {
            check(name);
            List<String> v = values.get(name);
            return v != null && v.getLast().equals("true");
        }

        /** The last value of a value flag, or its default, or null. */
        String value(String name) {
            Spec s = check(name);
            List<String> v = values.get(name);
            return v != null ? v.getLast() : s.defaultValue();
        }

        /** Every value of a repeatable flag, in order. */
        List<String> values(String name) {
            check(name);
            return values.getOrDefault(name, List.of());
        }

        boolean has(String name) { check(name); return values.containsKey(name); }

        List<String> args() { return args; }

        boolean help() { return bool("help"); }

        private Spec check(String name) {
            Spec s = flags.byName.get(name);
            if (s == null) throw new IllegalArgumentException("no flag --" + name + " defined"); // a bug, not a usage error
            return s;
        }
    }
}
