package io.berth.engine.image;

import io.berth.spec.runtime.Mount;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Mounts a list of snapshot mounts at a directory and takes them down again. */
public interface RootfsMounter {
    void mount(List<Mount> mounts, Path target) throws IOException;

    void unmount(Path target) throws IOException;
}
