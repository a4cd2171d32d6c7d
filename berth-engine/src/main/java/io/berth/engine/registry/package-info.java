/**
 * The OCI distribution client. Entry point: {@link io.berth.engine.registry.RegistryClient}
 * (implements {@link io.berth.engine.registry.Registry}), configured by {@link
 * io.berth.engine.registry.RegistryHosts} (insecure registries, docker.io mapping), a Docker
 * {@code config.json} path ({@link io.berth.engine.registry.DockerCredentials}) and a {@link
 * io.berth.engine.registry.RetryPolicy}. {@link io.berth.engine.registry.PlatformSelector} picks a
 * manifest from an index.
 *
 * <p>Decisions and their reasons:
 * <ul>
 *   <li>java.net.http, HTTP/1.1 only: parallel layer downloads get parallel TCP connections, which
 *       is what fills a link; the JDK client needs no extra dependency.</li>
 *   <li>Redirects are followed by hand so the registry's Authorization never reaches another host.</li>
 *   <li>Docker-Content-Digest is ignored: a descriptor's digest is computed from the bytes received.</li>
 *   <li>java.net.http has no read timeout once headers arrived, so a watchdog closes a body that makes no
 *       progress for {@code RetryPolicy.stallTimeout}; the read fails and the download resumes.</li>
 *   <li>Bearer tokens are cached per (host, scope, credentials): the daemon serves several users and one
 *       user's token must never serve another's request.</li>
 *   <li>Insecure hosts get plain HTTP only (dockerd also tries HTTPS without verification first; Berth does
 *       not, to keep one well-defined scheme per host).</li>
 * </ul>
 * Tests: {@code TestRegistry} (starts Debian's docker-registry, open, htpasswd or token auth, and pushes
 * fixtures built in code), {@code TokenServer} and {@code FaultProxy} in the test tree are reusable.
 */
package io.berth.engine.registry;
