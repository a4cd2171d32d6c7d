package io.berth.api.network;

import java.util.List;
import java.util.Map;

/**
 * Networks: Docker's {@code /networks} API. A network is a bridge with its own subnet; containers
 * join it (at create via {@link io.berth.api.container.NetworkSpec#endpoints()}, or later with
 * {@link #connect}) and get an address, a name (and aliases) other members resolve, and outbound
 * NAT unless the network is internal. The default network is named "bridge", as in Docker; "host"
 * and "none" are listed too and cannot be removed.
 *
 * <p>References are a full ID, a unique ID prefix, or a name. Errors: NOT_FOUND "network X not
 * found", CONFLICT "network with name X already exists" / "error while removing network: network X
 * has active endpoints", INVALID_ARGUMENT for a bad subnet, gateway, or a predefined network.
 */
public interface NetworkEngine {
    NetworkCreateReport create(NetworkCreateSpec spec);

    /** Filters as Docker's: name, id, label (k or k=v), driver, type (custom|builtin), dangling. */
    List<NetworkDetails> list(Map<String, List<String>> filters);

    NetworkDetails inspect(String ref);

    void remove(String ref);

    /** Removes unused user-defined networks matching filters (until, label); returns their names. */
    List<String> prune(Map<String, List<String>> filters);

    /** Joins a (created or running) container to a network; a running one gets its interface at once. */
    void connect(String network, String container, EndpointSpec endpoint);

    void disconnect(String network, String container, boolean force);
}
