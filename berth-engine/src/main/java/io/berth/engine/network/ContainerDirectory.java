package io.berth.engine.network;

import io.berth.api.container.ContainerSpec;

/**
 * How networking finds containers for {@code connect}/{@code disconnect} and {@code --network
 * container:REF} without depending on the container package (the daemon wires it to the container
 * service). {@link #find} throws NOT_FOUND "No such container: REF".
 */
@FunctionalInterface
public interface ContainerDirectory {
    /** @param pid the process when running, else 0 */
    record Entry(String id, String name, boolean running, int pid, ContainerSpec spec) {
    }

    Entry find(String ref);
}
