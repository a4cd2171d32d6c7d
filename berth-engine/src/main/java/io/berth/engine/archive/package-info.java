/**
 * Layer archives: {@link io.berth.engine.archive.Decompression} opens gzip/zstd/plain layer blobs,
 * {@link io.berth.engine.archive.SafeLayerApplier} applies a layer tar to a directory with every
 * path resolved inside it (see its class comment for the rules and why), in either
 * {@link io.berth.engine.archive.WhiteoutMode}. The breakout table in the tests is the contract:
 * any new entry kind or option must keep every row passing.
 */
package io.berth.engine.archive;
