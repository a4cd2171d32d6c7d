package io.berth.api.container;

/**
 * One entry of inspect's and ps's {@code Mounts}.
 *
 * @param type   "bind", "volume", "tmpfs"
 * @param name   the volume's name (volumes only)
 * @param source the host path (the volume's mountpoint for volumes)
 */
public record MountPoint(String type, String name, String source, String destination, String driver, String mode,
                         boolean rw, String propagation) {
}
