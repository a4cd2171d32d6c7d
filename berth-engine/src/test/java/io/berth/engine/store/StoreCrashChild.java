package io.berth.engine.store;

import io.berth.spec.image.Digest;

import java.nio.file.Path;
import java.time.Instant;

/**
 * Run in a child JVM by {@link SqliteImageStoreTest}: writes images with three tags each, one
 * transaction per image (also deleting an older image, to exercise the cascade), printing
 * "committed N" after each commit returned, until it is killed.
 */
public final class StoreCrashChild {
    public static void main(String[] args) {
        Database db = Database.open(Path.of(args[0]));
        SqliteImageStore store = new SqliteImageStore(db);
        System.out.println("ready");
        System.out.flush();
        for (int i = 0; ; i++) {
            int n = i;
            store.transaction(s -> {
                Digest id = imageId(n);
                s.put(new ImageRecord(id, Digest.sha256(("manifest-" + n).getBytes()),
                        "application/vnd.oci.image.manifest.v1+json", n, Instant.EPOCH, Instant.now()));
                for (String t : new String[] {"a", "b", "c"}) {
                    s.tag(new TagRecord("img" + n + ":" + t, id, Instant.now()));
                }
                if (n % 5 == 4) s.delete(imageId(n - 2));
                return null;
            });
            System.out.println("committed " + n);
            System.out.flush();
        }
    }

    static Digest imageId(int n) {
        return Digest.sha256(("image-" + n).getBytes());
    }

    static boolean imageIdExists(ImageStore store, int n) {
        return store.get(imageId(n)).isPresent();
    }

    /** Whether image n is deleted by a later transaction (the one for n + 2) of the same run. */
    static boolean deletedBy(int n, int lastCommitted) {
        return (n + 2) % 5 == 4 && n + 2 <= lastCommitted;
    }
}
