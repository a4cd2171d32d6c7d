package io.berth.engine.archive;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * commons-compress's tar reader, plus the extended attributes of each entry as raw bytes.
 *
 * <p>Why: commons-compress decodes every PAX value as UTF-8 text, so a binary value such as
 * {@code SCHILY.xattr.security.capability} (e.g. bytes 0x80, 0xff) comes back with U+FFFD in place
 * of its bytes and cannot be recovered. The reader parses PAX headers by reading the header entry's
 * data through {@link #read(byte[], int, int)}, so this subclass keeps a copy of exactly those bytes
 * and parses the xattr records from them itself. Everything else (framing, long names, sparse files,
 * base-256 numbers) stays with the library.
 */
final class PaxTarInputStream extends TarArchiveInputStream {
    private static final String SCHILY = "SCHILY.xattr.";
    private static final String LIBARCHIVE = "LIBARCHIVE.xattr.";

    private final ByteArrayOutputStream paxBytes = new ByteArrayOutputStream();
    private Map<String, byte[]> xattrs = Map.of();
    private int depth;

    PaxTarInputStream(InputStream in) {
        super(in, StandardCharsets.UTF_8.name());
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            TarArchiveEntry current = getCurrentEntry();
            if (current != null && current.isPaxHeader()) paxBytes.write(b, off, n);
        }
        return n;
    }

    /**
     * The library calls this method recursively after a PAX header to read the entry it describes,
     * so only the outermost call starts a fresh capture and parses it.
     */
    @Override
    public TarArchiveEntry getNextEntry() throws IOException {
        if (depth == 0) paxBytes.reset();
        depth++;
        TarArchiveEntry e;
        try {
            e = super.getNextEntry();
        } finally {
            depth--;
        }
        if (depth == 0) xattrs = e == null || paxBytes.size() == 0 ? Map.of() : parseXattrs(paxBytes.toByteArray());
        return e;
    }

    /** The extended attributes of the entry last returned by {@link #getNextEntry()}, name to raw value. */
    Map<String, byte[]> xattrs() { return xattrs; }

    /** Parses PAX records ({@code "<len> <key>=<value>\n"}, len counting the whole record) keeping xattr ones. */
    static Map<String, byte[]> parseXattrs(byte[] data) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        int pos = 0;
        while (pos < data.length) {
            int sp = pos, len = 0;
            while (sp < data.length && data[sp] >= '0' && data[sp] <= '9' && len < 100_000_000) len = len * 10 + (data[sp++] - '0');
            if (sp >= data.length || data[sp] != ' ' || len <= sp - pos || pos + len > data.length) break; // padding or malformed
            int end = pos + len; // exclusive, data[end-1] is '\n'
            int eq = sp + 1;
            while (eq < end && data[eq] != '=') eq++;
            if (eq >= end) break;
            String key = new String(data, sp + 1, eq - sp - 1, StandardCharsets.UTF_8);
            byte[] value = Arrays.copyOfRange(data, eq + 1, end - 1);
            if (key.startsWith(SCHILY) && key.length() > SCHILY.length()) {
                out.put(key.substring(SCHILY.length()), value);
            } else if (key.startsWith(LIBARCHIVE) && key.length() > LIBARCHIVE.length()) {
                // libarchive's form: the name is percent-encoded, the value base64.
                try {
                    String name = percentDecode(key.substring(LIBARCHIVE.length()));
                    out.put(name, Base64.getDecoder().decode(new String(value, StandardCharsets.US_ASCII).trim()));
                } catch (IllegalArgumentException ignored) { /* not decodable: skip, as libarchive would */ }
            }
            pos = end;
        }
        return out;
    }

    /** libarchive percent-encodes xattr names (unlike URL decoding, '+' stays '+'). */
    private static String percentDecode(String s) {
        if (s.indexOf('%') < 0) return s;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '%' && i + 2 < b.length) {
                out.write(Integer.parseInt(new String(b, i + 1, 2, StandardCharsets.US_ASCII), 16));
                i += 2;
            } else {
                out.write(b[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
