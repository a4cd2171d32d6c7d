package io.berth.daemon;

import io.berth.engine.Engine;
import io.berth.engine.EngineConfig;

/** Opens the engine the daemon serves; the seam that lets tests run the daemon on a stand-in. */
@FunctionalInterface
public interface EngineFactory {
    Engine open(EngineConfig config) throws Exception;
}
