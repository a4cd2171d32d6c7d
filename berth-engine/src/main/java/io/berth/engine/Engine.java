package io.berth.engine;

import io.berth.api.BerthException;
import io.berth.api.container.ContainerEngine;
import io.berth.api.image.ImageEngine;
import io.berth.api.system.SystemEngine;

/**
 * The native engine, opened on a state directory. The daemon (or an embedding application) opens
 * one and hands out its faces. Closing it stops background work; it does not touch containers.
 */
public interface Engine extends AutoCloseable {
    ImageEngine images();

    SystemEngine system();

    /** Containers; an engine without a container runtime answers UNAVAILABLE. */
    default ContainerEngine containers() {
        throw BerthException.unavailable("this engine has no container runtime");
    }

    /** Networks; an engine without a network stack answers UNAVAILABLE on every call. */
    default io.berth.api.network.NetworkEngine networks() {
        return io.berth.api.Unavailable.of(io.berth.api.network.NetworkEngine.class, "this engine has no network stack");
    }

    /** Named volumes; an engine without a volume store answers UNAVAILABLE on every call. */
    default io.berth.api.volume.VolumeEngine volumes() {
        return io.berth.api.Unavailable.of(io.berth.api.volume.VolumeEngine.class, "this engine has no volume store");
    }

    @Override void close();
}
