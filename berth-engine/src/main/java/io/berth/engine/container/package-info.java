/**
 * Containers: {@link io.berth.engine.container.ContainerService} implements the API's
 * {@link io.berth.api.container.ContainerEngine} on the runtime (runc through conmon), the OCI spec
 * generator, the snapshotter (a container's rootfs is an ACTIVE snapshot on its image's top layer) and
 * the metadata database. States follow {@link io.berth.engine.container.Transitions}.
 */
package io.berth.engine.container;
