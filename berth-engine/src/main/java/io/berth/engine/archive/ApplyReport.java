package io.berth.engine.archive;

/** @param bytes uncompressed tar bytes read; @param entries tar entries applied */
public record ApplyReport(long bytes, long entries) {
}
