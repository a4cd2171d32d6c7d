package io.berth.engine.registry;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

class TokenCacheTest {
    static final class MutableClock extends Clock {
        Instant now = Instant.parse("2025-01-01T00:00:00Z");
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId z) { return this; }
        @Override public Instant instant() { return now; }
    }

    @Test
    void tokensExpireBeforeTheirStatedLifetimeAndAreKeyedByCredentials() {
        MutableClock clock = new MutableClock();
        TokenCache c = new TokenCache(clock);
        TokenCache.Key alice = new TokenCache.Key("https://r", "repository:a:pull", "alice");
        TokenCache.Key anon = new TokenCache.Key("https://r", "repository:a:pull", "");
        c.put(alice, "t1", Duration.ofSeconds(60));
        assertThat(c.get(alice)).contains("t1");
        assertThat(c.get(anon)).isEmpty();
        assertThat(c.get(new TokenCache.Key("https://r", "repository:b:pull", "alice"))).isEmpty();
        clock.now = clock.now.plusSeconds(49);
        assertThat(c.get(alice)).contains("t1");
        clock.now = clock.now.plusSeconds(2); // within the safety margin of expiry
        assertThat(c.get(alice)).isEmpty();
        assertThat(c.size()).isZero();
    }

    @Test
    void tooShortLivedTokensAreNotCached() {
        TokenCache c = new TokenCache();
        TokenCache.Key k = new TokenCache.Key("h", "s", "");
        c.put(k, "t", Duration.ofSeconds(5));
        assertThat(c.get(k)).isEmpty();
    }
}
