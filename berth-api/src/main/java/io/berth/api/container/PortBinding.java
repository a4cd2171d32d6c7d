package io.berth.api.container;

/**
 * One host side of a published port ({@code -p [ip:][hostPort:]containerPort}). Null/empty
 * hostIp means all the host's addresses; null/empty/"0" hostPort means a free port picked at start.
 */
public record PortBinding(String hostIp, String hostPort) {
}
