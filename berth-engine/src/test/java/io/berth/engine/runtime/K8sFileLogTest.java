package io.berth.engine.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

class K8sFileLogTest {
    @TempDir Path dir;

    private static final String LOG = """
            2026-11-23T15:45:13.000000001+00:00 stdout F a
            2026-11-23T15:45:14.000000000+00:00 stderr F b
            2026-11-23T15:45:15.000000000+00:00 stdout P long-
            2026-11-23T15:45:15.500000000+00:00 stderr F interleaved
            2026-11-23T15:45:16.000000000+00:00 stdout P li
            2026-11-23T15:45:17.000000000+00:00 stdout F ne
            2026-11-23T15:45:18.000000000+00:00 stdout F\s
            2026-11-23T15:45:19.000000000+00:00 stdout F with  two spaces
            not a record
            """;

    private static List<String> texts(List<LogEntry> es) { return es.stream().map(e -> e.stream() + ":" + e.text()).toList(); }

    @Test
    void joinsPartialsPerStreamAndKeepsTheFirstTime() throws IOException {
        Path log = Files.writeString(dir.resolve("l"), LOG);
        List<LogEntry> all = K8sFileLog.read(log, LogQuery.ALL);
        assertThat(texts(all)).containsExactly("STDOUT:a\n", "STDERR:b\n", "STDERR:interleaved\n", "STDOUT:long-line\n", "STDOUT:\n",
                "STDOUT:with  two spaces\n");
        assertThat(all.getFirst().time()).isEqualTo(Instant.parse("2026-11-23T15:45:13.000000001Z"));
        assertThat(all.get(3).time()).isEqualTo(Instant.parse("2026-11-23T15:45:15Z"));
    }

    @Test
    void filtersByStreamTimeAndTail() throws IOException {
        Path log = Files.writeString(dir.resolve("l"), LOG);
        assertThat(texts(K8sFileLog.read(log, LogQuery.ALL.withStreams(false, true)))).containsExactly("STDERR:b\n", "STDERR:interleaved\n");
        assertThat(texts(K8sFileLog.read(log, LogQuery.ALL.withSince(Instant.parse("2026-11-23T15:45:14Z"))
                .withUntil(Instant.parse("2026-11-23T15:45:18Z"))))).containsExactly("STDERR:b\n", "STDERR:interleaved\n", "STDOUT:long-line\n");
        assertThat(texts(K8sFileLog.read(log, LogQuery.ALL.withTail(2)))).containsExactly("STDOUT:\n", "STDOUT:with  two spaces\n");
        assertThat(K8sFileLog.read(log, LogQuery.ALL.withTail(0))).isEmpty();
        assertThat(K8sFileLog.read(dir.resolve("missing"), LogQuery.ALL)).isEmpty();
    }

    @Test
    void aTrailingPieceWithoutNewlineIsReturnedWhenTheLogIsComplete() throws IOException {
        Path log = Files.writeString(dir.resolve("l"), "2026-11-23T15:45:13.000000001+00:00 stdout P no-newline\n");
        assertThat(texts(K8sFileLog.read(log, LogQuery.ALL))).containsExactly("STDOUT:no-newline");
    }

    @Test
    void followReadsNewRecordsAndStopsWhenTheWriterIsDone() throws Exception {
        Path log = Files.writeString(dir.resolve("l"), "2026-11-23T15:45:13.000000001+00:00 stdout F first\n");
        AtomicBoolean finished = new AtomicBoolean();
        List<LogEntry> got = new CopyOnWriteArrayList<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                K8sFileLog.stream(log, LogQuery.ALL.withFollow(true).withTail(1), finished::get, got::add, Duration.ofMillis(10));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(100);
        assertThat(texts(got)).containsExactly("STDOUT:first\n");
        // a record written in two pieces: the reader must not parse half a line
        Files.writeString(log, "2026-11-23T15:45:14.000000000+00:00 stderr F sec", StandardOpenOption.APPEND);
        Thread.sleep(50);
        Files.writeString(log, "ond\n2026-11-23T15:45:15.000000000+00:00 stdout F third\n", StandardOpenOption.APPEND);
        finished.set(true);
        reader.join(Duration.ofSeconds(5));
        assertThat(reader.isAlive()).isFalse();
        assertThat(texts(got)).containsExactly("STDOUT:first\n", "STDERR:second\n", "STDOUT:third\n");
    }

    @Test
    void followStopsWhenTheSinkSaysSo() throws Exception {
        Path log = Files.writeString(dir.resolve("l"), LOG);
        List<LogEntry> got = new CopyOnWriteArrayList<>();
        K8sFileLog.stream(log, LogQuery.ALL.withFollow(true), () -> false, e -> got.add(e) && got.size() < 2, Duration.ofMillis(10));
        assertThat(got).hasSize(2);
    }

    @Test
    void parsesBytesThatAreNotUtf8() {
        byte[] line = "2026-11-23T15:45:13.000000001+00:00 stdout F x\u00ff".getBytes(StandardCharsets.ISO_8859_1);
        K8sFileLog.Record r = K8sFileLog.parse(line, 0, line.length);
        assertThat(r.text()).containsExactly('x', (byte) 0xff);
        assertThat(r.partial()).isFalse();
    }
}
