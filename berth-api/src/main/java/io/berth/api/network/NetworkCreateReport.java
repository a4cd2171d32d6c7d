package io.berth.api.network;

public record NetworkCreateReport(String id, String warning) {
}
