package io.berth.engine.registry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bearer tokens by (registry host, scope, credential identity), kept until shortly before they expire.
 * The credential identity is part of the key so a token fetched with one user's password is never
 * handed to a request made with other (or no) credentials: the daemon serves many clients.
 */
public final class TokenCache {
    /** Tokens are dropped this long before their stated expiry, so one is never sent as it expires. */
    static final Duration MARGIN = Duration.ofSeconds(10);

    /** @param credentialId an opaque fingerprint of the credentials used ("" for anonymous) */
    public record Key(String host, String scope, String credentialId) { }

    private record Entry(String token, Instant expires) { }

    private final ConcurrentHashMap<Key, Entry> tokens = new ConcurrentHashMap<>();
    private final Clock clock;

    public TokenCache() { this(Clock.systemUTC()); }

    public TokenCache(Clock clock) { this.clock = clock; }

    public Optional<String> get(Key key) {
        Entry e = tokens.get(key);
        if (e == null) return Optional.empty();
        if (!clock.instant().isBefore(e.expires)) {
            tokens.remove(key, e);
            return Optional.empty();
        }
        return Optional.of(e.token);
    }

    /** @param expiresIn the token's lifetime as the token server stated it (the spec's default is 60 s) */
    public void put(Key key, String token, Duration expiresIn) {
        Duration life = expiresIn.minus(MARGIN);
        if (life.isNegative() || life.isZero()) return; // too short-lived to be worth caching
        tokens.put(key, new Entry(token, clock.instant().plus(life)));
    }

    public void invalidate(Key key) { tokens.remove(key); }

    public int size() { return tokens.size(); }
}
