/**
 * Container networking: networks and their IPAM ({@link io.berth.engine.network.NetworkService}, records in
 * SQLite), per-container network namespaces ({@link io.berth.engine.network.Netns}), the kernel plumbing
 * behind one small seam ({@link io.berth.engine.network.NetworkBackend}, implemented with netavark and
 * aardvark-dns), Berth's own egress and port forwarding rules ({@link io.berth.engine.network.Egress},
 * {@link io.berth.engine.network.PortForwarder}), namespaces set up ahead of time and torn down in the
 * background (warm and gone keys in NetworkService) and the files a
 * container's resolver reads ({@link io.berth.engine.network.EtcFiles}). The container service uses it
 * only through {@link io.berth.engine.network.ContainerNetworking}.
 */
package io.berth.engine.network;
