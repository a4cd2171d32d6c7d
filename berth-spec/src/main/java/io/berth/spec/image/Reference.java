package io.berth.spec.image;

import java.util.regex.Pattern;

/**
 * An image reference, normalised the way Docker does it (distribution/reference):
 * {@code busybox} is {@code docker.io/library/busybox:latest}; a first path component is a registry
 * host only if it contains '.' or ':' or is {@code localhost}. Tag and digest may both be present.
 */
public record Reference(String domain, String path, String tag, Digest digest) {
    public static final String DEFAULT_DOMAIN = "docker.io";
    public static final String DEFAULT_TAG = "latest";

    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern DOMAIN = Pattern.compile(
            "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?"
                    + "|\\[[a-fA-F0-9:]+\\](?::[0-9]+)?");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final int MAX_NAME = 255;

    public Reference {
        if (domain == null || path == null) throw new IllegalArgumentException("reference needs a domain and a path");
    }

    /** Parses and normalises; adds {@code :latest} when neither tag nor digest is given. */
    public static Reference parse(String s) {
        Reference r = parseName(s);
        return r.tag == null && r.digest == null ? r.withTag(DEFAULT_TAG) : r;
    }

    /** Parses and normalises without adding a default tag. */
    public static Reference parseName(String s) {
        if (s == null || s.isEmpty()) throw new IllegalArgumentException("invalid reference format: reference is empty");
        String rest = s;
        Digest digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            try { digest = Digest.parse(rest.substring(at + 1)); }
            catch (IllegalArgumentException e) { throw new IllegalArgumentException("invalid reference format \"" + s + "\": " + e.getMessage()); }
            rest = rest.substring(0, at);
        }
        String tag = null;
        int slash = rest.lastIndexOf('/');
        int colon = rest.lastIndexOf(':');
        if (colon > slash) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches())
                throw new IllegalArgumentException("invalid reference format \"" + s + "\": invalid tag \"" + tag + "\"");
        }
        if (rest.isEmpty()) throw new IllegalArgumentException("invalid reference format \"" + s + "\": name is empty");
        String domain, path;
        int first = rest.indexOf('/');
        String head = first < 0 ? rest : rest.substring(0, first);
        if (first >= 0 && (head.contains(".") || head.contains(":") || head.equals("localhost"))) {
            domain = head;
            path = rest.substring(first + 1);
            if (!DOMAIN.matcher(domain).matches())
                throw new IllegalArgumentException("invalid reference format \"" + s + "\": invalid registry host \"" + domain + "\"");
        } else {
            domain = DEFAULT_DOMAIN;
            path = rest;
        }
        if (domain.equals("index.docker.io")) domain = DEFAULT_DOMAIN;
        if (!path.equals(path.toLowerCase(java.util.Locale.ROOT)))
            throw new IllegalArgumentException("invalid reference format \"" + s + "\": repository name must be lowercase");
        for (String c : path.split("/", -1)) {
            if (!COMPONENT.matcher(c).matches())
                throw new IllegalArgumentException("invalid reference format \"" + s + "\": invalid repository name component \"" + c + "\"");
        }
        if (domain.equals(DEFAULT_DOMAIN) && !path.contains("/")) path = "library/" + path;
        if (domain.length() + 1 + path.length() > MAX_NAME)
            throw new IllegalArgumentException("invalid reference format \"" + s + "\": repository name must not be more than " + MAX_NAME + " characters");
        return new Reference(domain, path, tag, digest);
    }

    public static boolean isValid(String s) {
        try { parseName(s); return true; } catch (IllegalArgumentException e) { return false; }
    }

    public Reference withTag(String t) { return new Reference(domain, path, t, digest); }
    public Reference withDigest(Digest d) { return new Reference(domain, path, tag, d); }
    public Reference withoutTag() { return new Reference(domain, path, null, digest); }
    public Reference nameOnly() { return new Reference(domain, path, null, null); }

    /** {@code docker.io/library/busybox}. */
    public String name() { return domain + "/" + path; }

    /** {@code busybox}, {@code foo/bar}, or {@code host:5000/x} as Docker shows names. */
    public String familiarName() {
        if (!domain.equals(DEFAULT_DOMAIN)) return name();
        return path.startsWith("library/") && path.indexOf('/', 8) < 0 ? path.substring(8) : path;
    }

    /** The familiar form with tag and digest: {@code busybox:latest}. */
    public String familiarString() { return familiarName() + suffix(); }

    private String suffix() { return (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : ""); }

    @Override public String toString() { return name() + suffix(); }
}
