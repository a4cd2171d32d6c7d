/**
 * Named volumes with Docker's "local" driver: data in {@code ROOT/volumes/NAME/_data} (Docker's
 * layout), metadata and the container references in the engine's SQLite database. May use only
 * {@code store} (see EngineLayeringTest).
 */
package io.berth.engine.volume;
