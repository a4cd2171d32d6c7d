package io.berth.api.volume;

import java.util.List;
import java.util.Map;

/**
 * Named volumes: Docker's {@code /volumes} API with the "local" driver. A volume is a directory
 * owned by the engine that containers mount ({@code -v NAME:/path}, {@code --mount
 * type=volume}); an anonymous one (image VOLUME, {@code -v /path}) gets a random 64-hex name and is
 * removed with its container by {@code rm -v} / {@code --rm}.
 *
 * <p>Errors: NOT_FOUND "get X: no such volume", CONFLICT "remove X: volume is in use - [IDs]",
 * INVALID_ARGUMENT for a bad name or unknown driver/option.
 */
public interface VolumeEngine {
    /** Creates the volume, or returns the existing one of that name (Docker's idempotent create). */
    VolumeDetails create(VolumeCreateSpec spec);

    /** Filters: name, label (k or k=v), driver, dangling. */
    List<VolumeDetails> list(Map<String, List<String>> filters);

    VolumeDetails inspect(String name);

    /** {@code force}: no error when it does not exist; a volume in use is never removed. */
    void remove(String name, boolean force);

    /** Removes unused volumes (only anonymous ones unless filter all=true, as Docker ≥ 23) matching label filters. */
    VolumePruneReport prune(Map<String, List<String>> filters);
}
