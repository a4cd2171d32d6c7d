package io.berth.engine.content;

import java.io.IOException;
import java.io.OutputStream;

/**
 * An open ingest. Bytes go to a temp file; {@link #commit()} fsyncs, verifies size and digest and
 * renames into place atomically, or throws DATA_LOSS and deletes the temp file. {@link #close()}
 * without commit keeps the partial file so a later writer with the same ref can resume from
 * {@link #offset()} (HTTP Range); {@link #abort()} discards it.
 */
public interface ContentWriter extends AutoCloseable {
    /** Bytes already written (non-zero when resuming a partial ingest). */
    long offset();

    OutputStream stream();

    /** Restart from zero (the server ignored our Range request). */
    void truncate() throws IOException;

    void commit() throws IOException;

    void abort();

    @Override void close();
}
