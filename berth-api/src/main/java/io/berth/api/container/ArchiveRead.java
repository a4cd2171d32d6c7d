package io.berth.api.container;

import java.io.IOException;
import java.io.InputStream;

/** A path copied out of a container: its stat and a tar of it (top entry named by its base name). Close the tar. */
public record ArchiveRead(PathStat stat, InputStream tar) implements AutoCloseable {
    @Override public void close() throws IOException { tar.close(); }
}
