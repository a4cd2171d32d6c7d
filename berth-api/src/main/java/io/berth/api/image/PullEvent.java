package io.berth.api.image;

/**
 * Progress of a pull, in Docker's vocabulary. {@code id} is a layer's short digest (12 hex) or, for
 * the first event, the tag. Docker's JSON status strings are given by {@link #status()}.
 */
public sealed interface PullEvent {
    String id();

    String status();

    /** "Pulling from library/busybox" with id = tag. */
    record Resolving(String id, String repository) implements PullEvent {
        public String status() { return "Pulling from " + repository; }
    }
    record Waiting(String id) implements PullEvent { public String status() { return "Pulling fs layer"; } }
    record AlreadyExists(String id) implements PullEvent { public String status() { return "Already exists"; } }
    record Downloading(String id, long current, long total) implements PullEvent { public String status() { return "Downloading"; } }
    record Retrying(String id, String reason, int attempt) implements PullEvent { public String status() { return "Retrying (" + attempt + "): " + reason; } }
    record Verifying(String id) implements PullEvent { public String status() { return "Verifying Checksum"; } }
    record Downloaded(String id) implements PullEvent { public String status() { return "Download complete"; } }
    record Extracting(String id, long current, long total) implements PullEvent { public String status() { return "Extracting"; } }
    record Complete(String id) implements PullEvent { public String status() { return "Pull complete"; } }
    /** A line without a layer id: "Digest: sha256:…", "Status: Downloaded newer image for …", "Loaded image: …". */
    record Message(String status) implements PullEvent { public String id() { return null; } }
}
