package io.berth.spec.image;

/** Media types of the OCI image spec and Docker's image manifest v2 schema 2. */
public final class MediaTypes {
    private MediaTypes() {}

    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
    public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
    public static final String OCI_LAYER_NONDIST_GZIP = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";

    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    public static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar";
    public static final String DOCKER_FOREIGN_LAYER_GZIP = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

    public static boolean isIndex(String mt) { return OCI_INDEX.equals(mt) || DOCKER_MANIFEST_LIST.equals(mt); }
    public static boolean isManifest(String mt) { return OCI_MANIFEST.equals(mt) || DOCKER_MANIFEST.equals(mt); }

    public enum Compression { NONE, GZIP, ZSTD }

    /** The compression a layer media type declares; unknown layer types are refused by the caller. */
    public static Compression layerCompression(String mt) {
        if (mt == null) throw new IllegalArgumentException("layer media type is missing");
        if (mt.endsWith("+gzip") || mt.endsWith(".tar.gzip")) return Compression.GZIP;
        if (mt.endsWith("+zstd")) return Compression.ZSTD;
        if (mt.endsWith(".tar") || mt.endsWith("diff.tar")) return Compression.NONE;
        throw new IllegalArgumentException("unsupported layer media type: " + mt);
    }

    /** The Accept header a registry client sends for manifests. */
    public static final String MANIFEST_ACCEPT = String.join(", ", OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST);
}
