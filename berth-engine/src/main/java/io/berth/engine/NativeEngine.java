package io.berth.engine;

import io.berth.api.container.ContainerEngine;
import io.berth.api.image.ImageEngine;
import io.berth.api.system.SystemEngine;
import io.berth.engine.archive.SafeLayerApplier;
import io.berth.engine.container.ContainerService;
import io.berth.engine.content.FileContentStore;
import io.berth.engine.image.ImageService;
import io.berth.engine.image.RootfsMounter;
import io.berth.engine.network.ContainerDirectory;
import io.berth.engine.network.NetworkService;
import io.berth.engine.oci.DaemonDefaults;
import io.berth.engine.oci.HostInfo;
import io.berth.engine.registry.RegistryClient;
import io.berth.engine.registry.RegistryHosts;
import io.berth.engine.registry.RetryPolicy;
import io.berth.engine.runtime.ConmonRuntime;
import io.berth.engine.runtime.RuntimeConfig;
import io.berth.engine.snapshot.Mounter;
import io.berth.engine.snapshot.OverlaySnapshotter;
import io.berth.engine.snapshot.Snapshotter;
import io.berth.engine.snapshot.Snapshotters;
import io.berth.engine.store.Database;
import io.berth.engine.store.SqliteImageStore;
import io.berth.engine.system.NativeSystem;
import io.berth.spec.runtime.Mount;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The native engine on a state directory: the one place that knows every engine subsystem and
 * wires them together. Layout of the root:
 * <pre>
 *   metadata.db        images, tags, snapshot metadata (SQLite)
 *   content/           verified blobs and partial ingests
 *   snapshots/         overlay (or copy) snapshots by numeric id
 *   mounts/            image mounts (berth image mount)
 *   containers/ID/     container bundles: config.json, rootfs/ (mounted while running), ID-json.log
 *   run/               the runtime's files: runc roots, conmon pid and exit files
 *   netns/ID           running containers' network namespaces (nsfs bind mounts; the directory is a private mount)
 *   network/containers/ID/  hosts, resolv.conf, hostname bind-mounted into the container
 *   netavark/          netavark's and aardvark-dns's state (name files, pid)
 *   s/                 conmon's socket directory (short: SOCKETDIR/ID/attach must fit in sun_path)
 *   volumes/NAME/_data named and anonymous volumes (local driver)
 *   tmp/               spool space for load; emptied at start
 * </pre>
 * The caller must hold the root's lock (the daemon does): two engines on one root would corrupt it.
 */
public final class NativeEngine implements Engine {
    private final Database db;
    private final Snapshotter snapshots;
    private final RegistryClient registry;
    private final ImageService images;
    private final NativeSystem system;
    private final ContainerService containers;
    private final io.berth.engine.volume.VolumeService volumes;
    private final NetworkService networks;

    private NativeEngine(EngineConfig config) throws IOException {
        Path root = config.root();
        Files.createDirectories(root);
        deleteChildren(root.resolve("tmp"));
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            db = Database.openIn(root);
            opened.add(db);
            Mounter mounter = new Mounter();
            snapshots = Snapshotters.open(root, db, mounter);
            opened.add(snapshots);
            FileContentStore content = new FileContentStore(root.resolve("content"));
            registry = new RegistryClient(new RegistryHosts(config.insecureRegistries()), config.dockerConfig(), RetryPolicy.DEFAULT);
            opened.add(registry);
            RootfsMounter rootfs = new RootfsMounter() {
                @Override public void mount(List<Mount> mounts, Path target) throws IOException { mounter.mount(mounts, target); }
                @Override public void unmount(Path target) throws IOException { mounter.unmount(target); }
            };
            images = new ImageService(content, registry, snapshots, new SafeLayerApplier(), new SqliteImageStore(db), rootfs,
                    root, config.maxConcurrentDownloads());
            images.recover();
            images.warmUpInBackground();
            String driver = snapshots instanceof OverlaySnapshotter ? "overlayfs" : "copy";
            system = new NativeSystem(root, registry, images::imageCount, driver, config.insecureRegistries());
            // The runtime's per-container directories are kept apart from the bundles (root/containers):
            // the runtime deletes its own directory after a failed create, which must never be a bundle
            // with a mounted rootfs inside.
            // conmon binds SOCKETDIR/ID/attach, which must fit in sun_path (108 bytes) with a 64-hex ID:
            // the socket directory stays directly under the root, as short as it can be.
            RuntimeConfig rc = RuntimeConfig.under(root.resolve("run"));
            rc = new RuntimeConfig(rc.runtimes(), rc.defaultRuntime(), rc.conmon(), rc.stateRoot(), rc.containerDir(),
                    rc.exitDir(), root.resolve("s"), rc.logDir(), rc.timeout());
            ConmonRuntime runtime = new ConmonRuntime(rc);
            containers = ContainerService.open(db, images, snapshots, mounter, runtime, HostInfo.detect(),
                    DaemonDefaults.standard().withHooks(config.hooks()).withHookRules(io.berth.engine.oci.HookRules.load(config.hooksDir())),
                    root, driver);
            volumes = containers.volumes();
            volumes.publishEventsTo((action, name, attrs) -> containers.eventBus().publish("volume", action, name, attrs, null));
            networks = NetworkService.open(db, root, config.network(), NetworkService.netavark(root));
            networks.useContainers(ref -> {
                var d = containers.inspect(ref);
                return new ContainerDirectory.Entry(d.id(), d.name(), d.state().running(), d.state().pid(), d.spec());
            });
            containers.useNetworks(networks);
        } catch (IOException | RuntimeException e) {
            for (AutoCloseable c : opened.reversed()) {
                try { c.close(); } catch (Exception suppressed) { e.addSuppressed(suppressed); }
            }
            throw e;
        }
    }

    /** Opens the engine, recovering from whatever a crash left: see {@link ImageService#recover()}. */
    public static Engine open(EngineConfig config) {
        try {
            return new NativeEngine(config);
        } catch (IOException e) {
            throw new UncheckedIOException("opening engine at " + config.root() + ": " + e.getMessage(), e);
        }
    }

    @Override public ImageEngine images() { return images; }

    @Override public SystemEngine system() { return system; }

    @Override public ContainerEngine containers() { return containers; }

    @Override public io.berth.api.volume.VolumeEngine volumes() { return volumes; }
    @Override public io.berth.api.network.NetworkEngine networks() { return networks; }

    @Override public void close() {
        images.stopWarmUp();
        containers.close();
        networks.close();
        registry.close();
        snapshots.close();
        db.close();
    }

    private static void deleteChildren(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return;
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) if (!p.equals(dir)) Files.deleteIfExists(p);
        }
    }
}
