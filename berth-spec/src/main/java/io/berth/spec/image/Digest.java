package io.berth.spec.image;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest such as {@code sha256:3f5a…}. Only sha256 and sha512 are accepted: they are the
 * algorithms the OCI image spec registers, and an unknown algorithm must not be silently trusted.
 */
public record Digest(String algorithm, String hex) implements Comparable<Digest> {
    private static final Pattern SHA256 = Pattern.compile("[a-f0-9]{64}");
    private static final Pattern SHA512 = Pattern.compile("[a-f0-9]{128}");

    public Digest {
        switch (algorithm) {
            case "sha256" -> { if (!SHA256.matcher(hex).matches()) throw new IllegalArgumentException("invalid sha256 digest: " + hex); }
            case "sha512" -> { if (!SHA512.matcher(hex).matches()) throw new IllegalArgumentException("invalid sha512 digest: " + hex); }
            default -> throw new IllegalArgumentException("unsupported digest algorithm: " + algorithm);
        }
    }

    /** Parses {@code algorithm:hex}; throws IllegalArgumentException naming what is wrong. */
    @JsonCreator
    public static Digest parse(String s) {
        if (s == null) throw new IllegalArgumentException("digest is missing");
        int colon = s.indexOf(':');
        if (colon <= 0) throw new IllegalArgumentException("invalid digest (want algorithm:hex): " + s);
        return new Digest(s.substring(0, colon), s.substring(colon + 1));
    }

    public static boolean isDigest(String s) {
        try { parse(s); return true; } catch (IllegalArgumentException e) { return false; }
    }

    public static Digest sha256(byte[] data) {
        return new Digest("sha256", HexFormat.of().formatHex(newSha256().digest(data)));
    }

    public static Digest ofSha256(byte[] rawDigest) {
        return new Digest("sha256", HexFormat.of().formatHex(rawDigest));
    }

    public static MessageDigest newSha256() {
        try { return MessageDigest.getInstance("SHA-256"); }
        catch (NoSuchAlgorithmException e) { throw new IllegalStateException(e); }
    }

    /** A fresh MessageDigest for this digest's algorithm, to verify content against it. */
    public MessageDigest newHasher() {
        try { return MessageDigest.getInstance(algorithm.equals("sha256") ? "SHA-256" : "SHA-512"); }
        catch (NoSuchAlgorithmException e) { throw new IllegalStateException(e); }
    }

    /** The first 12 hex characters, as Docker shows IDs and layer names. */
    public String shortHex() { return hex.substring(0, 12); }

    @JsonValue
    @Override public String toString() { return algorithm + ":" + hex; }

    @Override public int compareTo(Digest o) { return toString().compareTo(o.toString()); }
}
