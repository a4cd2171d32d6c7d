package io.berth.api.network;

/** One IPAM pool: a CIDR subnet, an optional narrower range to allocate from, an optional gateway. */
public record IpamConfig(String subnet, String ipRange, String gateway) {
}
