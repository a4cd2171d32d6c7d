/**
 * OCI runtime spec generation: {@link io.berth.engine.oci.SpecGenerator} turns a container's
 * {@link io.berth.engine.oci.ContainerConfig} (engine terms: image config, Docker's create options)
 * into an {@link io.berth.spec.runtime.Spec} for runc, with Docker's defaults and rules, by
 * composing small {@link io.berth.engine.oci.SpecOpt}s from {@link io.berth.engine.oci.SpecOpts}.
 * Files of the image (/etc/passwd, /etc/group) are read through {@code io.berth.engine.sys} with
 * openat2 RESOLVE_IN_ROOT. This package uses no engine package but {@code sys}.
 */
package io.berth.engine.oci;
