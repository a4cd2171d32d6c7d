package io.berth.engine.content;

import io.berth.spec.image.Digest;

import java.time.Instant;

public record ContentInfo(Digest digest, long size, Instant createdAt) {
}
