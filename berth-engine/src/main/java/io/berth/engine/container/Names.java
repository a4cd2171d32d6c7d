package io.berth.engine.container;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;

/** Container and exec IDs (64 hex, like Docker's) and generated names of the form adjective_noun. */
final class Names {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final List<String> ADJECTIVES = List.of(
            "amber", "bold", "brave", "breezy", "bright", "calm", "clever", "cosy", "crisp", "daring", "eager", "fair",
            "fearless", "gentle", "glad", "golden", "happy", "hardy", "keen", "kind", "lively", "lucky", "merry", "mighty",
            "nimble", "noble", "patient", "plucky", "proud", "quick", "quiet", "rapid", "ready", "salty", "serene", "sharp",
            "silent", "smooth", "snug", "spry", "steady", "stoic", "sturdy", "sunny", "swift", "tidy", "trusty", "vivid",
            "wise", "witty", "zealous");
    private static final List<String> NOUNS = List.of(
            "anchor", "barge", "beacon", "bollard", "bosun", "breakwater", "buoy", "cabin", "capstan", "cargo", "compass",
            "cove", "crane", "deck", "dinghy", "dock", "ferry", "fjord", "galley", "gangway", "harbour", "hawser", "helm",
            "hull", "jetty", "keel", "lagoon", "lantern", "lighthouse", "mast", "mooring", "navigator", "oar", "pier",
            "pilot", "quay", "rudder", "sail", "schooner", "sextant", "skiff", "slipway", "starboard", "tide", "tugboat",
            "wharf", "winch");

    private Names() {}

    static String newId() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** A name not {@code taken}; after a few collisions a digit is appended, as Docker does. */
    static String generate(Predicate<String> taken) {
        for (int i = 0; ; i++) {
            String n = ADJECTIVES.get(RANDOM.nextInt(ADJECTIVES.size())) + "_" + NOUNS.get(RANDOM.nextInt(NOUNS.size()));
            if (i >= 5) n += RANDOM.nextInt(10);
            if (!taken.test(n)) return n;
        }
    }

    /** Docker's rule for user-given names: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
    static boolean valid(String name) { return name.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]+"); }
}
