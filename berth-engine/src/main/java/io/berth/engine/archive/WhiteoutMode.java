package io.berth.engine.archive;

/** How OCI whiteouts in a layer are realised in the directory a layer is applied to. */
public enum WhiteoutMode {
    /**
     * The target is an overlayfs upper directory: a {@code .wh.NAME} becomes a 0/0 character device
     * NAME and {@code .wh..wh..opq} sets {@code trusted.overlay.opaque=y} on its directory.
     */
    OVERLAY,
    /** The target is a full copy of the parent: whiteouts delete what they name. */
    DELETE,
    /** Not a layer (docker cp): {@code .wh.} names are ordinary files, written as they are. */
    LITERAL
}
