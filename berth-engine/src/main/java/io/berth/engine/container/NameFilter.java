package io.berth.engine.container;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Docker's {@code ps --filter name=V}: V is a regular expression searched in the name, tried both
 * with and without the leading slash (so {@code ^web$} and {@code ^/web$} both find "web"); an invalid
 * expression matches nothing, as in Docker.
 */
final class NameFilter {
    private NameFilter() {}

    static boolean matches(String filter, String name) {
        try {
            Pattern p = Pattern.compile(filter);
            return p.matcher(name).find() || p.matcher("/" + name).find();
        } catch (PatternSyntaxException e) {
            return false;
        }
    }
}
