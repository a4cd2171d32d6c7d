package io.berth.engine.archive;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Builds layer tars in code (fixtures are code). Names are written exactly as given, including
 * absolute and {@code ..} ones, so hostile layers can be expressed.
 */
final class TarBuilder {
    static final Instant T0 = Instant.parse("2021-06-01T10:00:00Z");

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream out;

    TarBuilder() { this(TarArchiveOutputStream.LONGFILE_POSIX); }

    TarBuilder(int longFileMode) {
        out = new TarArchiveOutputStream(bytes, StandardCharsets.UTF_8.name());
        out.setLongFileMode(longFileMode);
        out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        out.setAddPaxHeadersForNonAsciiNames(true);
    }

    static TarArchiveEntry entry(String name, byte type) {
        TarArchiveEntry e = new TarArchiveEntry(name, type, true);
        e.setLastModifiedTime(FileTime.from(T0));
        e.setUserId(0);
        e.setGroupId(0);
        return e;
    }

    TarBuilder add(TarArchiveEntry e, byte[] data) {
        try {
            e.setSize(data.length);
            out.putArchiveEntry(e);
            out.write(data);
            out.closeArchiveEntry();
            return this;
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    TarBuilder dir(String name) { return dir(name, 0755, e -> {}); }

    TarBuilder dir(String name, int mode, Consumer<TarArchiveEntry> tweak) {
        TarArchiveEntry e = entry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR);
        e.setMode(mode);
        tweak.accept(e);
        return add(e, new byte[0]);
    }

    TarBuilder file(String name, String content) { return file(name, content.getBytes(StandardCharsets.UTF_8), 0644, e -> {}); }

    TarBuilder file(String name, byte[] content, int mode, Consumer<TarArchiveEntry> tweak) {
        TarArchiveEntry e = entry(name, TarConstants.LF_NORMAL);
        e.setMode(mode);
        tweak.accept(e);
        return add(e, content);
    }

    TarBuilder symlink(String name, String target) { return symlink(name, target, e -> {}); }

    TarBuilder symlink(String name, String target, Consumer<TarArchiveEntry> tweak) {
        TarArchiveEntry e = entry(name, TarConstants.LF_SYMLINK);
        e.setLinkName(target);
        e.setMode(0777);
        tweak.accept(e);
        return add(e, new byte[0]);
    }

    TarBuilder hardlink(String name, String target) {
        TarArchiveEntry e = entry(name, TarConstants.LF_LINK);
        e.setLinkName(target);
        e.setMode(0644);
        return add(e, new byte[0]);
    }

    TarBuilder charDevice(String name, int major, int minor) { return node(name, TarConstants.LF_CHR, major, minor, 0666); }

    TarBuilder blockDevice(String name, int major, int minor) { return node(name, TarConstants.LF_BLK, major, minor, 0660); }

    TarBuilder fifo(String name) { return node(name, TarConstants.LF_FIFO, 0, 0, 0644); }

    TarBuilder node(String name, byte type, int major, int minor, int mode) {
        TarArchiveEntry e = entry(name, type);
        e.setDevMajor(major);
        e.setDevMinor(minor);
        e.setMode(mode);
        return add(e, new byte[0]);
    }

    /** An OCI whiteout for {@code path} (a {@code .wh.} file next to it). */
    TarBuilder whiteout(String path) {
        int slash = path.lastIndexOf('/');
        return file(path.substring(0, slash + 1) + ".wh." + path.substring(slash + 1), "");
    }

    /** An OCI opaque marker in {@code dir} ("" for the root). */
    TarBuilder opaque(String dir) { return file(dir.isEmpty() ? ".wh..wh..opq" : dir + "/.wh..wh..opq", ""); }

    byte[] build() {
        try {
            out.finish();
            out.close();
            return bytes.toByteArray();
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    InputStream stream() { return new ByteArrayInputStream(build()); }

    // ---- hand-made tars, for what commons-compress cannot write ------------------------------------

    /**
     * A tar with one regular file preceded by a PAX header whose records are written as raw bytes,
     * e.g. a binary {@code SCHILY.xattr.security.capability} (commons-compress would re-encode it as UTF-8).
     */
    static byte[] rawPaxFile(String name, Map<String, byte[]> records, byte[] content, int mode) {
        ByteArrayOutputStream pax = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> r : records.entrySet()) {
            byte[] key = r.getKey().getBytes(StandardCharsets.UTF_8);
            int body = 1 + key.length + 1 + r.getValue().length + 1; // " key=value\n"
            int len = body + Integer.toString(body).length();
            if (Integer.toString(len).length() != Integer.toString(body).length()) len++;
            pax.writeBytes((len + " ").getBytes(StandardCharsets.US_ASCII));
            pax.writeBytes(key);
            pax.write('=');
            pax.writeBytes(r.getValue());
            pax.write('\n');
        }
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        writeBlock(tar, header("PaxHeaders/" + name, 'x', pax.size(), 0644), pax.toByteArray());
        writeBlock(tar, header(name, '0', content.length, mode), content);
        tar.writeBytes(new byte[1024]);
        return tar.toByteArray();
    }

    private static void writeBlock(ByteArrayOutputStream tar, byte[] header, byte[] data) {
        tar.writeBytes(header);
        tar.writeBytes(data);
        int pad = (512 - data.length % 512) % 512;
        tar.writeBytes(new byte[pad]);
    }

    private static byte[] header(String name, char type, long size, int mode) {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, "%07o".formatted(mode));
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, "%011o".formatted(size));
        put(h, 136, "%011o".formatted(T0.getEpochSecond()));
        h[156] = (byte) type;
        put(h, 257, "ustar");
        put(h, 263, "00");
        for (int i = 148; i < 156; i++) h[i] = ' ';
        int sum = 0;
        for (byte b : h) sum += b & 0xff;
        put(h, 148, "%06o".formatted(sum));
        h[154] = 0;
        h[155] = ' ';
        return h;
    }

    private static void put(byte[] h, int off, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, h, off, b.length);
    }
}
