package io.berth.api.network;

/** A container's endpoint as the network lists it; addresses in CIDR form ("172.18.0.2/16"). */
public record NetworkEndpoint(String name, String endpointId, String macAddress, String ipv4Address, String ipv6Address) {
}
