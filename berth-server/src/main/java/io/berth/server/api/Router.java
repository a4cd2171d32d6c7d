package io.berth.server.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Method + path routing with {@code {name}} segments. A parameter written {@code {name:.+}} may
 * span slashes, which is how moby routes images by suffix: {@code /images/{name:.+}/json} serves
 * {@code /images/127.0.0.1:5000/a/b:1/json}. Routes are tried in the order added, so fixed paths
 * ({@code /images/json}) are registered before the catch-alls.
 */
public final class Router {
    @FunctionalInterface
    public interface Handler {
        void serve(ApiRequest request) throws Exception;
    }

    public record Match(Handler handler, Map<String, String> params) {}

    private record Route(String method, Pattern pattern, List<String> names, Handler handler) {}

    private static final Pattern PARAM = Pattern.compile("\\{([a-zA-Z]+)(?::([^}]+))?}");

    private final List<Route> routes = new ArrayList<>();

    public Router add(String method, String template, Handler handler) {
        StringBuilder re = new StringBuilder("^");
        List<String> names = new ArrayList<>();
        Matcher m = PARAM.matcher(template);
        int last = 0;
        while (m.find()) {
            re.append(Pattern.quote(template.substring(last, m.start())));
            names.add(m.group(1));
            re.append('(').append(m.group(2) == null ? "[^/]+" : m.group(2)).append(')');
            last = m.end();
        }
        re.append(Pattern.quote(template.substring(last))).append('$');
        routes.add(new Route(method, Pattern.compile(re.toString()), names, handler));
        return this;
    }

    public Optional<Match> match(String method, String path) {
        for (Route r : routes) {
            if (!r.method.equals(method)) continue;
            Matcher m = r.pattern.matcher(path);
            if (!m.matches()) continue;
            Map<String, String> params = new LinkedHashMap<>();
            for (int i = 0; i < r.names.size(); i++) params.put(r.names.get(i), m.group(i + 1));
            return Optional.of(new Match(r.handler, params));
        }
        return Optional.empty();
    }
}
