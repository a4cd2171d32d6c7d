package io.berth.engine.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Applies an uncompressed layer tar to a directory. No write ever lands outside {@code root}:
 * every path is resolved with the root as "/" (openat2 RESOLVE_IN_ROOT), so absolute paths,
 * {@code ..}, and symlinks planted by this or an earlier layer cannot lead out.
 * Throws {@link io.berth.api.BerthException} INVALID_ARGUMENT for hostile or malformed entries,
 * naming the entry; IOException for I/O failures.
 */
public interface LayerApplier {
    ApplyReport apply(InputStream tar, Path root, WhiteoutMode mode) throws IOException;
}
