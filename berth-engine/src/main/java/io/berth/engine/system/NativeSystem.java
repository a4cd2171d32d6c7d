package io.berth.engine.system;

import io.berth.api.BerthException;
import io.berth.api.image.RegistryAuth;
import io.berth.api.system.InfoReport;
import io.berth.api.system.SystemEngine;
import io.berth.api.system.VersionReport;
import io.berth.engine.registry.Registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.IntSupplier;

/** The native {@link SystemEngine}: version, info and registry login. */
public final class NativeSystem implements SystemEngine {
    public static final String VERSION = "0.1.0";
    public static final String API_VERSION = "1.44";
    public static final String MIN_API_VERSION = "1.24";

    private final Path root;
    private final Registry registry;
    private final IntSupplier imageCount;
    private final String driver;
    private final List<String> insecure;
    private final String id;

    public NativeSystem(Path root, Registry registry, IntSupplier imageCount, String driver, List<String> insecure) {
        this.root = root;
        this.registry = registry;
        this.imageCount = imageCount;
        this.driver = driver;
        this.insecure = insecure;
        this.id = engineId(root);
    }

    /** A stable ID for this engine root, made once (Docker shows one in `docker info`). */
    private static String engineId(Path root) {
        Path f = root.resolve("engine-id");
        try {
            if (Files.exists(f)) return Files.readString(f).trim();
            String id = UUID.randomUUID().toString();
            Files.createDirectories(root);
            Files.writeString(f, id, StandardCharsets.UTF_8);
            return id;
        } catch (IOException e) {
            return UUID.nameUUIDFromBytes(root.toString().getBytes(StandardCharsets.UTF_8)).toString();
        }
    }

    @Override public VersionReport version() {
        return new VersionReport(VERSION, API_VERSION, MIN_API_VERSION, "berth", "java" + Runtime.version().feature(),
                "linux", HostFacts.goArch(), HostFacts.kernelVersion(), "", "");
    }

    @Override public InfoReport info() {
        List<String> cidrs = new ArrayList<>();
        cidrs.add("127.0.0.0/8");
        cidrs.addAll(insecure);
        return new InfoReport(id, 0, 0, 0, 0, imageCount.getAsInt(), driver,
                List.of(List.of("Backing Filesystem", "extfs")), root.toString(), HostFacts.kernelVersion(),
                HostFacts.osRelease("PRETTY_NAME"), HostFacts.osRelease("VERSION_ID"), HostFacts.arch(),
                Runtime.getRuntime().availableProcessors(), HostFacts.memTotal(), HostFacts.hostname(), VERSION,
                HostFacts.cgroupVersion(), "cgroupfs", cidrs, List.of());
    }

    @Override public String login(RegistryAuth auth) {
        if (auth == null || auth.username() == null || auth.username().isEmpty())
            throw BerthException.invalid("login: a username is required");
        try {
            return registry.login(auth);
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.UNAVAILABLE, "login to " + auth.serverAddress() + ": " + e.getMessage(), e);
        }
    }
}
