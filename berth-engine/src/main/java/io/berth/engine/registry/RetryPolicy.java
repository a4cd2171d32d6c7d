package io.berth.engine.registry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How the registry client retries transient failures (5xx, 429, refused or dropped connections,
 * stalled downloads). Digest and size mismatches are never retried: they are DATA_LOSS.
 *
 * @param maxAttempts    attempts per request, the first included (at least 1)
 * @param initialBackoff wait before the second attempt; doubled after each further failure
 * @param maxBackoff     cap on one wait
 * @param stallTimeout   a body read that makes no progress for this long counts as a dropped
 *                       connection (java.net.http has no read timeout of its own)
 * @param connectTimeout TCP/TLS connect timeout; also the wait for response headers
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration stallTimeout, Duration connectTimeout) {
    public static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(10),
            Duration.ofSeconds(60), Duration.ofSeconds(30));

    public RetryPolicy {
        if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1");
        if (initialBackoff.isNegative() || maxBackoff.isNegative()) throw new IllegalArgumentException("backoff must not be negative");
        if (stallTimeout.isNegative() || stallTimeout.isZero()) throw new IllegalArgumentException("stallTimeout must be positive");
        if (connectTimeout.isNegative() || connectTimeout.isZero()) throw new IllegalArgumentException("connectTimeout must be positive");
    }

    public RetryPolicy withMaxAttempts(int n) { return new RetryPolicy(n, initialBackoff, maxBackoff, stallTimeout, connectTimeout); }
    public RetryPolicy withBackoff(Duration initial, Duration max) { return new RetryPolicy(maxAttempts, initial, max, stallTimeout, connectTimeout); }
    public RetryPolicy withStallTimeout(Duration d) { return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, d, connectTimeout); }
    public RetryPolicy withConnectTimeout(Duration d) { return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, stallTimeout, d); }

    /** The wait before attempt {@code attempt + 1} (attempt counts from 1), with up to 25% jitter. */
    public Duration backoff(int attempt) {
        long base = initialBackoff.toMillis() << Math.min(attempt - 1, 20);
        long capped = Math.min(base, maxBackoff.toMillis());
        long jitter = capped <= 0 ? 0 : ThreadLocalRandom.current().nextLong(capped / 4 + 1);
        return Duration.ofMillis(capped - jitter);
    }
}
