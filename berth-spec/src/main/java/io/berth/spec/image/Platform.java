package io.berth.spec.image;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Locale;

/** An OCI platform: os/architecture[/variant]. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Platform(
        @JsonProperty("os") String os,
        @JsonProperty("architecture") String architecture,
        @JsonProperty("variant") String variant,
        @JsonProperty("os.version") String osVersion,
        @JsonProperty("os.features") List<String> osFeatures) {

    public static final Platform LINUX_AMD64 = new Platform("linux", "amd64", null, null, null);

    public Platform(String os, String architecture, String variant) { this(os, architecture, variant, null, null); }

    /** Parses {@code os/arch[/variant]} the way {@code docker --platform} does, normalising aliases. */
    public static Platform parse(String s) {
        if (s == null || s.isBlank()) throw new IllegalArgumentException("platform is empty");
        String[] p = s.toLowerCase(Locale.ROOT).split("/");
        if (p.length < 2 || p.length > 3 || p[0].isEmpty() || p[1].isEmpty())
            throw new IllegalArgumentException("invalid platform \"" + s + "\": want os/arch[/variant], e.g. linux/amd64");
        return new Platform(p[0], p[1], p.length == 3 ? p[2] : null).normalize();
    }

    /** Normalises architecture aliases (x86_64, aarch64) and default variants like containerd's platforms package. */
    public Platform normalize() {
        String arch = architecture, v = variant;
        switch (arch) {
            case "x86_64", "x86-64" -> { arch = "amd64"; if ("v1".equals(v)) v = null; }
            case "aarch64", "arm64" -> { arch = "arm64"; if ("8".equals(v) || "v8".equals(v)) v = null; }
            case "armhf" -> { arch = "arm"; v = "v7"; }
            case "armel" -> { arch = "arm"; v = "v6"; }
            case "arm" -> { if (v == null) v = "v7"; else if (!v.startsWith("v")) v = "v" + v; }
            case "amd64" -> { if ("v1".equals(v)) v = null; }
            default -> { }
        }
        return new Platform(os, arch, v, osVersion, osFeatures);
    }

    /**
     * Whether an image built for {@code candidate} satisfies this requested platform. The variant
     * must match when both name one; a missing variant on either side matches (arm defaults to v7).
     */
    public boolean matches(Platform candidate) {
        if (candidate == null) return false;
        Platform want = normalize(), have = candidate.normalize();
        if (!want.os.equals(have.os) || !want.architecture.equals(have.architecture)) return false;
        return want.variant == null || have.variant == null || want.variant.equals(have.variant);
    }

    @Override public String toString() {
        return os + "/" + architecture + (variant == null || variant.isEmpty() ? "" : "/" + variant);
    }
}
