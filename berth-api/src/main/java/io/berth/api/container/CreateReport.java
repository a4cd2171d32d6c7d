package io.berth.api.container;

import java.util.List;

/** @param warnings things asked for that the host cannot fully honour (Docker's Warnings) */
public record CreateReport(String id, List<String> warnings) {
}
