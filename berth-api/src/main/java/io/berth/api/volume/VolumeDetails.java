package io.berth.api.volume;

import java.time.Instant;
import java.util.Map;

/**
 * What {@code docker volume inspect} shows.
 *
 * @param mountpoint the host directory holding the data
 * @param anonymous  created for one container (image VOLUME or {@code -v /path}), removed with it
 * @param refCount   containers using it (-1 when not computed)
 * @param size       bytes used (-1 when not computed)
 */
public record VolumeDetails(String name, String driver, String mountpoint, Instant createdAt, Map<String, String> labels,
                            Map<String, String> options, String scope, boolean anonymous, long refCount, long size) {
}
