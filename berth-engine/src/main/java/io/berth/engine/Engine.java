package io.berth.engine;

import io.berth.api.image.ImageEngine;
import io.berth.api.system.SystemEngine;

/**
 * The native engine, opened on a state directory. The daemon (or an embedding application) opens
 * one and hands out its faces. Closing it stops background work; it does not touch containers.
 */
public interface Engine extends AutoCloseable {
    ImageEngine images();

    SystemEngine system();

    @Override void close();
}
