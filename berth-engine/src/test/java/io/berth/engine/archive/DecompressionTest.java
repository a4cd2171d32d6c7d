package io.berth.engine.archive;

import com.github.luben.zstd.ZstdOutputStream;
import io.berth.spec.image.MediaTypes.Compression;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DecompressionTest {
    @TempDir Path tmp;

    private static final byte[] DATA = data();

    private static byte[] data() {
        // compressible but not trivial, and larger than the read-ahead's chunks
        byte[] b = new byte[700 * 1024 + 123];
        Random r = new Random(7);
        for (int i = 0; i < b.length; i++) b[i] = (byte) ('a' + r.nextInt(8));
        return b;
    }

    interface Compressor { OutputStream wrap(OutputStream out) throws IOException; }

    private static byte[] compress(byte[] data, Compressor c) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = c.wrap(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void gzipIncludingMultiMember() throws IOException {
        byte[] half1 = Arrays.copyOfRange(DATA, 0, 1000), half2 = Arrays.copyOfRange(DATA, 1000, DATA.length);
        byte[] multi = concat(compress(half1, GZIPOutputStream::new), compress(half2, GZIPOutputStream::new));
        try (InputStream in = Decompression.open(new ByteArrayInputStream(multi), Compression.GZIP)) {
            assertThat(in.readAllBytes()).isEqualTo(DATA);
        }
    }

    @Test
    void zstdIncludingMultiFrame() throws IOException {
        byte[] half1 = Arrays.copyOfRange(DATA, 0, 5000), half2 = Arrays.copyOfRange(DATA, 5000, DATA.length);
        byte[] multi = concat(compress(half1, ZstdOutputStream::new), compress(half2, ZstdOutputStream::new));
        try (InputStream in = Decompression.open(new ByteArrayInputStream(multi), Compression.ZSTD)) {
            assertThat(in.readAllBytes()).isEqualTo(DATA);
        }
    }

    @Test
    void noneIsThePlainStream() throws IOException {
        InputStream plain = new ByteArrayInputStream(DATA);
        assertThat(Decompression.open(plain, Compression.NONE)).isSameAs(plain);
    }

    @Test
    void detectSniffsMagicBytes() throws IOException {
        for (byte[] blob : new byte[][]{
                compress(DATA, GZIPOutputStream::new),
                compress(DATA, ZstdOutputStream::new),
                compress(DATA, BZip2CompressorOutputStream::new),
                DATA,
                new TarBuilder().file("a", "a").build()}) {
            byte[] expected = blob == DATA || blob[0] == 'a' ? blob : DATA;
            try (InputStream in = Decompression.detect(new ByteArrayInputStream(blob))) {
                assertThat(in.readAllBytes()).isEqualTo(expected);
            }
        }
        try (InputStream in = Decompression.detect(new ByteArrayInputStream(new byte[]{1}))) {
            assertThat(in.readAllBytes()).containsExactly(1);
        }
    }

    @Test
    void truncatedOrCorruptInputFailsRatherThanEndingEarly() throws IOException {
        byte[] gz = compress(DATA, GZIPOutputStream::new);
        try (InputStream in = Decompression.open(new ByteArrayInputStream(Arrays.copyOf(gz, gz.length / 2)), Compression.GZIP)) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class);
        }
        byte[] zst = compress(DATA, ZstdOutputStream::new);
        try (InputStream in = Decompression.open(new ByteArrayInputStream(Arrays.copyOf(zst, zst.length / 2)), Compression.ZSTD)) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class);
        }
        byte[] bad = gz.clone();
        bad[gz.length / 2] ^= 0x55;
        try (InputStream in = Decompression.open(new ByteArrayInputStream(bad), Compression.GZIP)) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class);
        }
    }

    @Test
    void closingEarlyClosesTheSource() throws IOException {
        AtomicBoolean closed = new AtomicBoolean();
        InputStream source = new ByteArrayInputStream(compress(DATA, GZIPOutputStream::new)) {
            @Override public void close() { closed.set(true); }
        };
        InputStream in = Decompression.open(source, Compression.GZIP);
        assertThat(in.read()).isEqualTo(DATA[0] & 0xff);
        in.close();
        assertThat(closed).isTrue();
        assertThatThrownBy(in::read).isInstanceOf(IOException.class);
    }

    @Test
    void compressedLayersApply() throws IOException {
        byte[] tar = new TarBuilder().dir("etc").file("etc/os-release", "ID=berth\n").symlink("lib", "usr/lib").build();
        Compressor[] kinds = {GZIPOutputStream::new, ZstdOutputStream::new, out -> out};
        Compression[] types = {Compression.GZIP, Compression.ZSTD, Compression.NONE};
        for (int i = 0; i < kinds.length; i++) {
            Path root = Files.createDirectory(tmp.resolve("root" + i));
            try (InputStream in = Decompression.open(new ByteArrayInputStream(compress(tar, kinds[i])), types[i])) {
                ApplyReport r = new SafeLayerApplier().apply(in, root, WhiteoutMode.OVERLAY);
                assertThat(r.bytes()).isEqualTo(tar.length);
                assertThat(r.entries()).isEqualTo(3);
            }
            assertThat(Files.readString(root.resolve("etc/os-release"))).isEqualTo("ID=berth\n");
        }
    }
}
