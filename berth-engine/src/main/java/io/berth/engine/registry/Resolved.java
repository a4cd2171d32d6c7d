package io.berth.engine.registry;

import io.berth.spec.image.Descriptor;

/** A reference resolved to the manifest or index it names; {@code body} was verified against the descriptor. */
public record Resolved(Descriptor descriptor, byte[] body) {
}
