package io.berth.engine.sys;

/** The fields of statx(2) Berth uses. {@code mode} includes the file type bits (S_IFMT). */
public record Stat(int mode, int uid, int gid, long size, long ino, long nlink,
                   int rdevMajor, int rdevMinor, long atimeSec, int atimeNsec, long mtimeSec, int mtimeNsec) {

    public int type() { return mode & Syscalls.S_IFMT; }

    public int permissions() { return mode & 07777; }

    public boolean isDirectory() { return type() == Syscalls.S_IFDIR; }

    public boolean isSymlink() { return type() == Syscalls.S_IFLNK; }

    public boolean isRegular() { return type() == Syscalls.S_IFREG; }

    public boolean isCharDevice() { return type() == Syscalls.S_IFCHR; }
}
