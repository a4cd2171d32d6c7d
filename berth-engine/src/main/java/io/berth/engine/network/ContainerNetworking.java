package io.berth.engine.network;

import io.berth.api.container.ContainerSpec;
import io.berth.api.container.NetworkSettings;
import io.berth.engine.oci.ContainerConfig;
import io.berth.spec.image.ImageConfig;

import java.util.Set;

/**
 * What the container service asks of networking, in lifecycle order. A container's network mode is
 * {@code HostSpec.networkMode()}: null, "default" or "bridge" (the default network), "none", "host",
 * a network name or ID, or "container:REF".
 *
 * <pre>
 *   create:  validate(spec) before anything is made; created(id, spec) once the record exists
 *   start:   setUp(...) then configure(id, config) for the OCI spec; awaitReady(id) before the
 *            runtime starts the process; tearDown(id) if the start fails
 *   exit:    tearDown(id)   (also for every container not running when the daemon starts: recover)
 *   remove:  forget(id)
 * </pre>
 *
 * Errors: INVALID_ARGUMENT/NOT_FOUND from validate for a bad mode or unknown network; UNAVAILABLE from
 * setUp when the namespace or the backend fails (after undoing what was done). tearDown and forget do
 * not throw for things already gone.
 */
public interface ContainerNetworking {
    void validate(ContainerSpec spec);

    void created(String id, ContainerSpec spec);

    /** Makes the namespace, joins the networks, publishes ports, writes hosts/resolv.conf/hostname. */
    void setUp(String id, String name, ContainerSpec spec, ImageConfig image);

    /** The config with the network namespace to use and the resolver files mounted. */
    ContainerConfig configure(String id, ContainerConfig config);

    /**
     * Waits for what {@link #setUp} left running in the background (publishing ports), so that the
     * container's process starts with its ports in place: called after the runtime created the
     * container and before it starts it. UNAVAILABLE when that work failed.
     */
    default void awaitReady(String id) { }

    void tearDown(String id);

    /**
     * Whether another container could notice this one's networking until {@link #tearDown} has run:
     * published ports, a name or alias in a network's DNS, a requested address. When not (the default
     * bridge, no ports), a removal may tear it down after answering its client. True when unsure.
     */
    default boolean observable(String id) { return true; }

    void forget(String id);

    NetworkSettings settings(String id);

    /** Daemon start: tears down the networking of every container not in {@code running}; removes orphans. */
    void recover(Set<String> known, Set<String> running);

    /**
     * Stands in until the engine hands over the real one after re-adoption: a restart-policy start
     * that comes first waits for it (up to a minute, then {@link #NONE}), so no container starts
     * without its network or between recovery's view of what runs and its teardown. Teardowns before
     * then do nothing: recovery tears down whatever does not run.
     */
    static ContainerNetworking deferred(java.util.concurrent.CompletableFuture<ContainerNetworking> ready) {
        return new ContainerNetworking() {
            private ContainerNetworking real() {
                try {
                    return ready.get(60, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return NONE;
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    return NONE;
                }
            }
            private ContainerNetworking now() { return ready.isDone() ? real() : NONE; }
            @Override public void validate(ContainerSpec spec) { real().validate(spec); }
            @Override public void created(String id, ContainerSpec spec) { real().created(id, spec); }
            @Override public void setUp(String id, String name, ContainerSpec spec, ImageConfig image) { real().setUp(id, name, spec, image); }
            @Override public ContainerConfig configure(String id, ContainerConfig config) { return real().configure(id, config); }
            @Override public void awaitReady(String id) { real().awaitReady(id); }
            @Override public void tearDown(String id) { now().tearDown(id); }
            @Override public boolean observable(String id) { return now().observable(id); }
            @Override public void forget(String id) { now().forget(id); }
            @Override public NetworkSettings settings(String id) { return now().settings(id); }
            @Override public void recover(Set<String> known, Set<String> running) { }
        };
    }

    /** Without a network service (tests of other subsystems): "none" and "host" only, nothing to set up. */
    ContainerNetworking NONE = new ContainerNetworking() {
        @Override public void validate(ContainerSpec spec) {
            String m = spec.host() == null ? null : spec.host().networkMode();
            if (m == null || m.isEmpty() || m.equals("default")) m = "bridge";
            if (!m.equals("none") && !m.equals("host"))
                throw io.berth.api.BerthException.invalid("network mode %s needs the network service; use --network none or host", m);
        }
        @Override public void created(String id, ContainerSpec spec) { }
        @Override public void setUp(String id, String name, ContainerSpec spec, ImageConfig image) { }
        @Override public ContainerConfig configure(String id, ContainerConfig config) { return config; }
        @Override public void tearDown(String id) { }
        @Override public void forget(String id) { }
        @Override public NetworkSettings settings(String id) { return NetworkSettings.EMPTY; }
        @Override public void recover(Set<String> known, Set<String> running) { }
    };
}
