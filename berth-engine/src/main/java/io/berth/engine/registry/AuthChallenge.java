package io.berth.engine.registry;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One challenge of a {@code WWW-Authenticate} header (RFC 7235), e.g.
 * {@code Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"}.
 *
 * @param scheme lower-cased auth scheme ({@code basic}, {@code bearer})
 * @param params parameters with lower-cased names and unquoted values
 */
public record AuthChallenge(String scheme, Map<String, String> params) {
    public AuthChallenge {
        scheme = scheme.toLowerCase(Locale.ROOT);
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    public boolean isBasic() { return scheme.equals("basic"); }
    public boolean isBearer() { return scheme.equals("bearer"); }

    public String realm() { return params.get("realm"); }
    public String service() { return params.get("service"); }
    public String scope() { return params.get("scope"); }

    /** Parses all challenges of each header value; malformed trailing parts are ignored, never thrown. */
    public static List<AuthChallenge> parse(List<String> headerValues) {
        List<AuthChallenge> out = new ArrayList<>();
        for (String v : headerValues) out.addAll(parse(v));
        return out;
    }

    /** Parses one header value, which may carry several challenges ({@code Basic realm="a", Bearer realm="b"}). */
    public static List<AuthChallenge> parse(String header) {
        List<AuthChallenge> out = new ArrayList<>();
        if (header == null) return out;
        Scanner s = new Scanner(header);
        String scheme = null;
        Map<String, String> params = new LinkedHashMap<>();
        while (true) {
            s.skipSpaceAndCommas();
            if (s.atEnd()) break;
            String token = s.token();
            if (token.isEmpty()) { s.pos++; continue; } // junk character: skip it
            s.skipSpace();
            if (scheme != null && s.peek() == '=' && s.peekAfterEquals() != '=') {
                s.pos++; // '='
                s.skipSpace();
                String value = s.peek() == '"' ? s.quoted() : s.token();
                params.put(token.toLowerCase(Locale.ROOT), value);
            } else {
                if (scheme != null) out.add(new AuthChallenge(scheme, params));
                scheme = token;
                params = new LinkedHashMap<>();
                // token68 form (Basic abc==) carries no parameters we need: skip it.
                if (s.peek() != ',' && !s.atEnd() && looksLikeToken68(s)) s.token68();
            }
        }
        if (scheme != null) out.add(new AuthChallenge(scheme, params));
        return out;
    }

    private static boolean looksLikeToken68(Scanner s) {
        int save = s.pos;
        String t = s.token();
        s.skipSpace();
        boolean isParam = !t.isEmpty() && s.peek() == '=' && s.peekAfterEquals() != '=';
        s.pos = save;
        return !isParam;
    }

    private static final class Scanner {
        final String in;
        int pos;

        Scanner(String in) { this.in = in; }

        boolean atEnd() { return pos >= in.length(); }
        char peek() { return atEnd() ? '\0' : in.charAt(pos); }
        char peekAfterEquals() { return pos + 1 < in.length() ? in.charAt(pos + 1) : '\0'; }

        void skipSpace() { while (!atEnd() && (peek() == ' ' || peek() == '\t')) pos++; }
        void skipSpaceAndCommas() { while (!atEnd() && (peek() == ' ' || peek() == '\t' || peek() == ',')) pos++; }

        /** An RFC 7230 token. */
        String token() {
            int start = pos;
            while (!atEnd() && isTokenChar(peek())) pos++;
            return in.substring(start, pos);
        }

        void token68() {
            while (!atEnd() && peek() != ',' && peek() != ' ') pos++;
        }

        String quoted() {
            StringBuilder b = new StringBuilder();
            pos++; // opening quote
            while (!atEnd()) {
                char c = in.charAt(pos++);
                if (c == '\\' && !atEnd()) b.append(in.charAt(pos++));
                else if (c == '"') return b.toString();
                else b.append(c);
            }
            return b.toString(); // unterminated: take what is there
        }

        static boolean isTokenChar(char c) {
            return c > 32 && c < 127 && "()<>@,;:\\\"/[]?={} \t".indexOf(c) < 0;
        }
    }
}
