package io.berth.engine.volume;

/**
 * One volume mounted into one container, recorded from the container's create to its removal: the
 * volume is "in use" while any reference exists (Docker refuses to remove a volume that a stopped
 * container still names).
 *
 * @param mode      the mode text inspect shows ("z", "ro", "")
 * @param noCopy    {@code volume-nocopy}: never copy the image's content into the volume
 * @param populated the copy-up decision was taken (at the container's first start)
 */
public record VolumeRef(String volume, String container, String destination, boolean readOnly, String mode,
                        boolean noCopy, boolean populated) {
}
