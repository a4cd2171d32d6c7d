package io.berth.client;

import io.berth.api.container.AttachSession;
import io.berth.api.container.StdStream;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FrameReaderTest {
    /** An input stream that hands out one byte per read, so headers and payloads arrive split. */
    private static InputStream trickle(byte[] b) {
        return new java.io.FilterInputStream(new ByteArrayInputStream(b)) {
            @Override public int read(byte[] buf, int off, int len) throws IOException { return super.read(buf, off, Math.min(len, 1)); }
        };
    }

    @Test void demultiplexesStdoutStderrAndStdinAsStdout() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(FrameReader.frame(StdStream.STDOUT, "out\n".getBytes(StandardCharsets.UTF_8)));
        b.write(FrameReader.frame(StdStream.STDERR, "err\n".getBytes(StandardCharsets.UTF_8)));
        b.write(FrameReader.frame(StdStream.STDIN, "in".getBytes(StandardCharsets.UTF_8)));
        b.write(FrameReader.frame(StdStream.STDOUT, new byte[0]));
        FrameReader r = new FrameReader(trickle(b.toByteArray()), false);
        AttachSession.Frame f1 = r.next(), f2 = r.next(), f3 = r.next(), f4 = r.next();
        assertThat(f1.stream()).isEqualTo(StdStream.STDOUT);
        assertThat(new String(f1.data(), StandardCharsets.UTF_8)).isEqualTo("out\n");
        assertThat(f2.stream()).isEqualTo(StdStream.STDERR);
        assertThat(new String(f2.data(), StandardCharsets.UTF_8)).isEqualTo("err\n");
        assertThat(f3.stream()).isEqualTo(StdStream.STDOUT);
        assertThat(f4.data()).isEmpty();
        assertThat(r.next()).isNull();
    }

    @Test void bigFrameAndHeaderLayout() throws IOException {
        byte[] big = new byte[70000];
        big[69999] = 9;
        byte[] f = FrameReader.frame(StdStream.STDERR, big);
        assertThat(f).startsWith(2, 0, 0, 0, 0, 1, 0x11, 0x70);
        AttachSession.Frame got = new FrameReader(new ByteArrayInputStream(f), false).next();
        assertThat(got.data()).hasSize(70000);
        assertThat(got.data()[69999]).isEqualTo((byte) 9);
    }

    @Test void truncatedStreamsAreErrors() {
        byte[] f = FrameReader.frame(StdStream.STDOUT, "abcdef".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> new FrameReader(new ByteArrayInputStream(f, 0, 5), false).next()).isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> new FrameReader(new ByteArrayInputStream(f, 0, 10), false).next()).isInstanceOf(EOFException.class)
                .hasMessageContaining("2 of 6");
        byte[] bad = f.clone();
        bad[0] = 7;
        assertThatThrownBy(() -> new FrameReader(new ByteArrayInputStream(bad), false).next()).hasMessageContaining("unknown stream id 7");
    }

    @Test void rawModePassesBytesThrough() throws IOException {
        FrameReader r = new FrameReader(new ByteArrayInputStream(new byte[]{2, 0, 0, 0, 0, 0, 0, 1}), true);
        assertThat(r.next().data()).containsExactly(2, 0, 0, 0, 0, 0, 0, 1);
        assertThat(r.next()).isNull();
    }
}
