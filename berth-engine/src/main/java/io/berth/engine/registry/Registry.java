package io.berth.engine.registry;

import io.berth.api.image.RegistryAuth;
import io.berth.engine.content.ContentIngester;
import io.berth.spec.image.Descriptor;
import io.berth.spec.image.Reference;

import java.io.IOException;

/**
 * The OCI distribution client. Every byte is verified by digest and size while it streams; the
 * Docker-Content-Digest header is never trusted. Auth: anonymous, Basic, Bearer challenge, with
 * {@code auth} from the request or stored credentials. HTTPS unless the host is insecure
 * (127.0.0.0/8, localhost, or configured). Errors: NOT_FOUND (manifest or blob unknown),
 * UNAUTHORIZED, UNAVAILABLE (network, 5xx after retries), DATA_LOSS (digest/size mismatch).
 */
public interface Registry {
    /** Resolves a tag or digest reference to the manifest/index descriptor and its verified bytes. */
    Resolved resolve(Reference ref, RegistryAuth auth) throws IOException;

    /** Fetches a manifest (or index) named by digest in {@code repo}; verified. */
    byte[] fetchManifest(Reference repo, Descriptor descriptor, RegistryAuth auth) throws IOException;

    /**
     * Downloads a blob into the content store (resuming a partial ingest with Range, retrying 5xx and
     * dropped connections with backoff) and commits it verified. A blob already present is a no-op.
     */
    void fetchBlob(Reference repo, Descriptor descriptor, RegistryAuth auth, ContentIngester into, BlobProgress progress) throws IOException;

    /** Verifies credentials against the registry's auth flow; returns "Login Succeeded". */
    String login(RegistryAuth auth) throws IOException;
}
