/**
 * Linux system calls through FFM (java.lang.foreign), for what the JDK cannot do safely: descriptor-
 * relative file operations that never follow a symlink unless asked (openat2 RESOLVE_IN_ROOT,
 * *at calls with AT_SYMLINK_NOFOLLOW), device nodes, ownership of links, extended attributes.
 * {@link io.berth.engine.sys.Syscalls} is the binding; {@link io.berth.engine.sys.Fd} an owned
 * descriptor; failures are {@link io.berth.engine.sys.ErrnoException} with the errno.
 * This package depends on no other engine package.
 */
package io.berth.engine.sys;
