package io.berth.api.container;

import java.time.Instant;

/**
 * What Docker's archive endpoints report about a path inside a container (the base64 JSON of
 * {@code X-Docker-Container-Path-Stat}). {@code mode} is a Go {@code os.FileMode}: permission bits
 * plus {@link #DIR} for a directory and {@link #SYMLINK} for a symbolic link.
 */
public record PathStat(String name, long size, long mode, Instant mtime, String linkTarget) {
    public static final long DIR = 1L << 31, SYMLINK = 1L << 27;

    public boolean isDirectory() { return (mode & DIR) != 0; }
}
