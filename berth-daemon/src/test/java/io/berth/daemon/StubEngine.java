package io.berth.daemon;

import io.berth.api.BerthException;
import io.berth.api.image.HistoryEntry;
import io.berth.api.image.ImageDetails;
import io.berth.api.image.ImageEngine;
import io.berth.api.image.ImageListOptions;
import io.berth.api.image.ImageSummary;
import io.berth.api.image.LoadReport;
import io.berth.api.image.PruneOptions;
import io.berth.api.image.PruneReport;
import io.berth.api.image.PullEvent;
import io.berth.api.image.PullListener;
import io.berth.api.image.PullOptions;
import io.berth.api.image.PullReport;
import io.berth.api.image.RegistryAuth;
import io.berth.api.image.RemoveItem;
import io.berth.api.image.RemoveOptions;
import io.berth.api.system.InfoReport;
import io.berth.api.system.SystemEngine;
import io.berth.api.system.VersionReport;
import io.berth.engine.Engine;
import io.berth.engine.EngineConfig;
import io.berth.spec.image.Digest;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A stand-in engine for daemon lifecycle tests: the daemon's job (lock, socket, signals) does not
 * depend on what the engine does. Pull takes {@link #PULL_MILLIS} so a test can shut the daemon
 * down while a request is running.
 */
final class StubEngine implements Engine, ImageEngine, SystemEngine {
    static final long PULL_MILLIS = 1500;
    final EngineConfig config;
    volatile boolean closed;

    StubEngine(EngineConfig config) { this.config = config; }

    @Override public ImageEngine images() { return this; }
    @Override public SystemEngine system() { return this; }
    @Override public void close() { closed = true; }

    @Override public PullReport pull(PullOptions options, PullListener listener) {
        listener.onEvent(new PullEvent.Resolving("1", "stub"));
        try { Thread.sleep(PULL_MILLIS); } catch (InterruptedException e) { throw BerthException.unavailable("pull interrupted"); }
        Digest d = Digest.sha256(options.reference().getBytes(StandardCharsets.UTF_8));
        return new PullReport(options.reference(), d, d, true);
    }

    @Override public List<ImageSummary> list(ImageListOptions options) { return List.of(); }
    @Override public ImageDetails inspect(String reference) { throw BerthException.notFound("No such image: %s", reference); }
    @Override public List<HistoryEntry> history(String reference) { throw BerthException.notFound("No such image: %s", reference); }
    @Override public void tag(String source, String target) { throw BerthException.notFound("No such image: %s", source); }
    @Override public List<RemoveItem> remove(String reference, RemoveOptions options) { throw BerthException.notFound("No such image: %s", reference); }
    @Override public LoadReport load(InputStream archive, PullListener listener) { throw BerthException.unavailable("stub"); }
    @Override public void save(List<String> references, OutputStream out) { throw BerthException.unavailable("stub"); }
    @Override public PruneReport prune(PruneOptions options) { return new PruneReport(List.of(), 0); }
    @Override public String mount(String reference) { throw BerthException.unavailable("stub"); }
    @Override public void unmount(String reference) { throw BerthException.unavailable("stub"); }

    @Override public VersionReport version() {
        return new VersionReport("0.1.0-stub", "1.44", "1.24", "", "java", "linux", "amd64", "", "", null);
    }

    @Override public InfoReport info() {
        return new InfoReport("stub", 0, 0, 0, 0, 0, "overlay", List.of(), config.root().toString(), "", "", "", "x86_64",
                1, 1, "stub", "0.1.0-stub", "2", "cgroupfs", config.insecureRegistries(), List.of());
    }

    @Override public String login(RegistryAuth auth) { return "Login Succeeded"; }
}
