package io.berth.engine.container;

import io.berth.api.BerthException;
import io.berth.api.container.AttachOptions;
import io.berth.api.container.AttachSession;
import io.berth.api.container.ContainerDetails;
import io.berth.api.container.ContainerEngine;
import io.berth.api.container.ContainerListOptions;
import io.berth.api.container.ContainerSpec;
import io.berth.api.container.ContainerStats;
import io.berth.api.container.ContainerUpdate;
import io.berth.api.container.ProcessList;
import io.berth.api.container.ContainerState;
import io.berth.api.container.ContainerState.Status;
import io.berth.api.container.ContainerSummary;
import io.berth.api.container.EventOptions;
import io.berth.api.container.EventStream;
import io.berth.api.container.PruneReport;
import io.berth.api.container.SystemCheckReport;
import io.berth.api.container.CreateReport;
import io.berth.api.container.ExecDetails;
import io.berth.api.container.ExecSpec;
import io.berth.api.container.HostSpec;
import io.berth.api.container.LogOptions;
import io.berth.api.container.LogStream;
import io.berth.api.container.WaitCondition;
import io.berth.api.container.WaitResult;
import io.berth.engine.image.ImageService;
import io.berth.engine.oci.ContainerConfig;
import io.berth.engine.oci.DaemonDefaults;
import io.berth.engine.oci.HostInfo;
import io.berth.engine.oci.SpecGenerator;
import io.berth.engine.oci.SpecOpts;
import io.berth.engine.runtime.ConmonRuntime;
import io.berth.engine.runtime.CreateOptions;
import io.berth.engine.runtime.CreatedContainer;
import io.berth.engine.runtime.K8sFileLog;
import io.berth.engine.runtime.Liveness;
import io.berth.engine.runtime.LogQuery;
import io.berth.engine.snapshot.Mounter;
import io.berth.engine.snapshot.Snapshotter;
import io.berth.engine.store.Database;
import io.berth.engine.sys.Trace;
import io.berth.spec.image.ImageConfig;
import io.berth.spec.runtime.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * The native {@link ContainerEngine}: runc through conmon ({@link ConmonRuntime}), root filesystems as
 * ACTIVE snapshots on the image's top layer, records in the metadata database.
 *
 * <h2>Layout</h2>
 * {@code root/containers/ID/} is the OCI bundle: {@code config.json}, {@code rootfs/} (the snapshot,
 * mounted only while the container runs), {@code ID-json.log} (conmon's k8s-file log). The runtime's
 * own files (pid files, exit codes, sockets) live under its {@link io.berth.engine.runtime.RuntimeConfig}
 * directories, which must not be the bundle directories (the runtime deletes its per-container directory
 * after a failed create, and that must never walk into a mounted rootfs).
 *
 * <h2>Monitoring</h2>
 * Each running container has one virtual thread that waits for conmon's exit file (conmon writes it the
 * moment the process is reaped, then lingers for a second or two, so waiting for conmon itself would
 * delay every exit); an inotify watch ({@link io.berth.engine.runtime.ExitWatch}) wakes it when the
 * file is written, and once a second it checks that conmon still lives. When the file appears the thread records the exit, deletes the runtime state,
 * unmounts the rootfs, wakes waiters and applies the restart policy or auto-remove. Containers outlive
 * the service: {@link #open} re-adopts them from the records.
 *
 * <p>Locking: each container has a monitor lock ({@link Box}) held for every state change; waits
 * (stop timeouts, exits) happen outside it.
 */
public final class ContainerService implements ContainerEngine, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ContainerService.class.getName());
    private static final Duration POLL = Duration.ofMillis(20);
    /** How often a monitor checks that conmon still lives (exits themselves arrive through ExitWatch). */
    private static final Duration LIVENESS = Duration.ofSeconds(1);
    private static final String SNAPSHOT_PREFIX = "container-";

    private final ImageService images;
    private final Snapshotter snapshots;
    private final Mounter mounter;
    private final ConmonRuntime runtime;
    private final SpecGenerator generator;
    private final HostInfo host;
    private final ContainerStore store;
    private final Path containersDir;
    private final String driver;
    private final Map<String, Box> boxes = new ConcurrentHashMap<>();
    private final ExecSessions execSessions;
    private final Object names = new Object();
    /** Names of containers being created (guarded by {@link #names}): taken, though not yet in {@link #boxes}. */
    private final Set<String> reservedNames = new java.util.HashSet<>();
    /** IDs between create's first write and its record: the orphan sweep must not take their files for orphans. */
    private final Set<String> creating = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** IDs of removed --rm containers whose files are being cleaned up: not orphans either. */
    private final Set<String> cleaning = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private final EventBus events = new EventBus();
    /** Daemon-wide poststop hooks exist: runc delete must then finish before the rootfs is unmounted. */
    private final boolean poststopHooks;

    /** A container in memory: its record and the things waiting on it. Its monitor lock guards state changes. */
    private static final class Box {
        final String id;
        volatile ContainerRecord rec;
        /** Completed with the exit code at the next exit (then replaced). */
        java.util.concurrent.CompletableFuture<Integer> nextExit = new java.util.concurrent.CompletableFuture<>();
        final java.util.concurrent.CompletableFuture<Integer> removed = new java.util.concurrent.CompletableFuture<>();
        final List<Sessions.ContainerAttach> pending = new CopyOnWriteArrayList<>();
        /** Incremented at every start, so a stale monitor cannot record a later run's exit. */
        int generation;
        /** Set when removal begins: no restart policy may start it again. */
        volatile boolean removing;
        /** The cgroups path of the current run's spec (null until a start of this daemon): saves re-reading config.json. */
        volatile String cgroupsPath;

        Box(ContainerRecord r) {
            this.id = r.id();
            this.rec = r;
        }
    }

    private ContainerService(Database db, ImageService images, Snapshotter snapshots, Mounter mounter, ConmonRuntime runtime,
                             HostInfo host, DaemonDefaults defaults, Path root, String driver) {
        this.images = images;
        this.snapshots = snapshots;
        this.mounter = mounter;
        this.runtime = runtime;
        this.host = host;
        this.generator = new SpecGenerator(host, defaults);
        this.store = new ContainerStore(db);
        this.containersDir = root.resolve("containers");
        this.driver = driver;
        this.poststopHooks = defaults.hooks().poststop() != null && !defaults.hooks().poststop().isEmpty();
        this.execSessions = new ExecSessions(runtime, containersDir, host, new ExecSessions.Containers() {
            @Override
            public <T> T whileRunning(String ref, java.util.function.Function<String, T> action) {
                Box b = find(ref);
                synchronized (b) {
                    if (b.rec.status() == Status.PAUSED) throw BerthException.conflict("Container %s is paused, unpause the container before exec", b.id);
                    if (b.rec.status() != Status.RUNNING) throw BerthException.conflict("Container %s is not running", b.id);
                    return action.apply(b.id);
                }
            }

            @Override
            public void emit(String containerId, String action, Map<String, String> attributes) {
                Box b = boxes.get(containerId);
                if (b != null) ContainerService.this.emit(b, action, attributes);
            }
        });
    }

    /**
     * Opens the service on an engine root and re-adopts the recorded containers: running ones keep
     * their monitor, exits that happened while no daemon watched are recorded and their restart
     * policies applied.
     *
     * @param runtime its directories must lie outside {@code root/containers} (e.g. {@code RuntimeConfig.under(root.resolve("run"))})
     */
    public static ContainerService open(Database db, ImageService images, Snapshotter snapshots, Mounter mounter,
                                        ConmonRuntime runtime, HostInfo host, DaemonDefaults defaults, Path root, String driver) {
        ContainerService s = new ContainerService(db, images, snapshots, mounter, runtime, host, defaults, root, driver);
        // A socket directory past sun_path (108 bytes with ID/attach) needs no warning: conmon binds and
        // SeqPacketSocket connects through /proc/self/fd/N/attach, which is short whatever the root.
        images.publishEventsTo((action, id, attrs) -> s.events.publish("image", action, id, attrs, null));
        s.volumeMounts.wire(new io.berth.engine.volume.VolumeService(db, root)); // before re-adoption: restarts mount volumes
        s.readopt();
        s.volumeMounts.forgetOthers(Set.copyOf(s.boxes.keySet()));
        LOG.log(System.Logger.Level.INFO, SystemCheck.summary(s.systemCheck())); // the preflight, once per start
        return s;
    }

    // ---- create ------------------------------------------------------------------------------------

    @Override
    public CreateReport create(ContainerSpec spec) {
        ensureOpen();
        Objects.requireNonNull(spec, "spec");
        HostSpec h = spec.host() == null ? HostSpec.DEFAULT : spec.host();
        networks.validate(spec);
        if (spec.name() != null && !spec.name().isEmpty() && !Names.valid(spec.name().startsWith("/") ? spec.name().substring(1) : spec.name()))
            throw BerthException.invalid("Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", spec.name());
        Trace.Laps t = Trace.laps("create", spec.image());
        ImageService.ResolvedImage img = images.resolveForContainer(spec.image());
        t.lap("resolve");
        ImageConfig cfg = img.config();
        ImageConfig.Config ic = cfg.config() != null ? cfg.config() : new ImageConfig.Config(null, null, null, null, null, null, null, null, null);
        SpecOpts.dockerArgs(ic, spec.entrypoint(), spec.cmd()); // "no command specified" now, not at start
        mountRequests(h);
        String id = Names.newId();
        String key = SNAPSHOT_PREFIX + id;
        Box box;
        String name;
        // The name is reserved under the lock; the snapshot and the row are made outside it, so
        // parallel creates (a burst of runs) do not queue behind each other's disk work.
        synchronized (names) {
            name = spec.name() == null || spec.name().isEmpty() ? Names.generate(n -> byName(n) != null || reservedNames.contains(n))
                    : spec.name().startsWith("/") ? spec.name().substring(1) : spec.name();
            Box other = byName(name);
            if (other != null) throw nameConflict(name, other.id);
            if (!reservedNames.add(name)) throw nameConflict(name, "(being created)");
        }
        try {
            ContainerRecord r = new ContainerRecord(id, name, spec.withName(name), img.imageId(), cfg, Instant.now(), Status.CREATED,
                    0, 0, null, null, null, 0, false, key);
            creating.add(id);
            try {
                Files.createDirectories(containersDir.resolve(id));
                volumeMounts.plan(id, spec, cfg);
                // Snapshot row and container row in one commit: a crash leaves both or neither.
                store.atomically(c -> {
                    snapshots.prepare(key, img.topChainId(), Map.of());
                    t.lap("snapshot");
                    store.put(r);
                    return null;
                });
                t.lap("db");
            } catch (IOException e) {
                volumeMounts.release(id, true);
                deleteTree(containersDir.resolve(id));
                throw new BerthException(BerthException.Kind.UNAVAILABLE, "creating container " + id + ": preparing its root filesystem: " + e.getMessage(), e);
            } catch (RuntimeException e) {
                volumeMounts.release(id, true);
                ignore(() -> removeSnapshot(key)); // rolled back with the row; a leftover directory is the snapshotter's to sweep
                deleteTree(containersDir.resolve(id));
                throw e;
            }
            box = new Box(r);
            synchronized (names) {
                boxes.put(id, box);
            }
            networks.created(id, r.spec());
        } finally {
            creating.remove(id);
            synchronized (names) {
                reservedNames.remove(name);
            }
        }
        emit(box, "create", Map.of());
        t.end();
        return new CreateReport(box.id, List.of());
    }

    private static String networkMode(HostSpec h) {
        // Validated by ContainerNetworking at create; the namespace itself comes from networks.configure.
        return h.networkMode() == null || h.networkMode().isEmpty() ? "bridge" : h.networkMode();
    }

    private static List<ContainerConfig.MountRequest> mountRequests(HostSpec h) {
        List<ContainerConfig.MountRequest> out = new ArrayList<>();
        if (h.binds() != null) {
            for (String b : h.binds()) {
                String[] p = b.split(":");
                if (p.length < 2 || p.length > 3) throw BerthException.invalid("invalid volume specification: '%s'", b);
                if (ContainerVolumes.isVolumeBind(b)) continue; // ContainerVolumes
                if (!p[0].startsWith("/")) throw BerthException.invalid("invalid volume specification: '%s'", b);
                boolean ro = p.length == 3 && List.of(p[2].split(",")).contains("ro");
                out.add(ContainerConfig.MountRequest.bind(p[0], p[1], ro));
            }
        }
        if (h.mounts() != null) {
            for (HostSpec.MountSpec m : h.mounts()) {
                if ("volume".equals(m.type())) continue; // ContainerVolumes
                if (!"bind".equals(m.type())) throw BerthException.invalid("mount type %s is not available yet", m.type());
                ContainerConfig.MountRequest r = ContainerConfig.MountRequest.bind(m.source(), m.target(), m.readOnly());
                out.add(m.propagation() == null ? r : r.withPropagation(m.propagation()));
            }
        }
        return out;
    }

    private static BerthException nameConflict(String name, String id) {
        return BerthException.conflict("Conflict. The container name \"/%s\" is already in use by container \"%s\". "
                + "You have to remove (or rename) that container to be able to reuse that name.", name, id);
    }

    private Box byName(String name) {
        for (Box b : boxes.values()) if (b.rec.name().equals(name)) return b;
        return null;
    }

    // ---- start -------------------------------------------------------------------------------------

    @Override
    public void start(String ref) {
        ensureOpen();
        Box b = find(ref);
        synchronized (b) {
            Status s = b.rec.status();
            if (s == Status.RUNNING || s == Status.PAUSED) throw BerthException.notModified("container %s is already started", b.id);
            Transitions.check(b.id, s, Status.RUNNING);
            try {
                doStart(b, false);
            } catch (BerthException e) {
                // As Docker: a --rm container that cannot start is removed (its error goes to the caller).
                HostSpec h = b.rec.spec().host();
                if (h != null && h.autoRemove()) spawn("autoremove-" + b.id.substring(0, 12), () -> ignore(() -> remove(b.id, true, false)));
                throw e;
            }
        }
    }

    /** Creates and starts the container's process; the caller holds the box's lock and checked the transition. */
    private void doStart(Box b, boolean policyRestart) {
        ContainerRecord r = b.rec;
        Path dir = containersDir.resolve(b.id);
        Path rootfs = dir.resolve("rootfs");
        ContainerSpec spec = r.spec();
        HostSpec h = spec.host() == null ? HostSpec.DEFAULT : spec.host();
        boolean created = false;
        Trace.Laps t = Trace.laps("start", b.id);
        try {
            Files.createDirectories(rootfs);
            if (!Mounter.isMountPoint(rootfs)) mountRootfs(r, rootfs);
            volumeMounts.populate(b.id, rootfs);
            t.lap("mount");
            networks.setUp(b.id, r.name(), spec, r.imageConfig());
            t.lap("network");
            SpecGenerator.Generated g = generator.generate(networks.configure(b.id, config(r)), rootfs);
            Files.write(dir.resolve("config.json"), ContainerStore.JSON.writeValueAsBytes(g.spec()));
            b.cgroupsPath = g.spec().linux() == null ? null : g.spec().linux().cgroupsPath();
            t.lap("spec");
            CreateOptions o = CreateOptions.defaults(runtime.config(), b.id).withTerminal(spec.tty())
                    .withStdin(spec.openStdin(), spec.stdinOnce()).withRuntime(h.runtime()).withLogPath(logPath(b.id));
            Files.deleteIfExists(dir.resolve(OOM_MARKER));
            CreatedContainer c = runtime.create(b.id, dir, o);
            created = true;
            t.lap("conmon-create");
            // Attach clients waiting for this start connect now, before the process runs: they see all output.
            for (Sessions.ContainerAttach a : b.pending) {
                try {
                    a.conn.complete(runtime.attach(b.id));
                } catch (BerthException e) {
                    a.conn.completeExceptionally(e);
                }
            }
            b.pending.clear();
            t.lap("attach");
            networks.awaitReady(b.id);
            runtime.start(b.id);
            t.lap("runc-start");
            b.generation++;
            b.rec = r.started(c.pid(), Instant.now(), policyRestart);
            store.put(b.rec);
            t.lap("db");
            int gen = b.generation;
            spawn("monitor-" + b.id.substring(0, 12), () -> monitor(b, gen));
            emit(b, "start", Map.of());
            t.end();
        } catch (IOException | RuntimeException e) {
            if (created) ignore(() -> runtime.delete(b.id, true));
            ignore(() -> networks.tearDown(b.id));
            ignore(() -> unmount(rootfs));
            String msg = e.getMessage();
            // Docker's exit codes for a command that cannot run: 127 not found, 126 not executable.
            int code = msg != null && (msg.contains("executable file not found") || msg.contains("no such file or directory")) ? 127
                    : msg != null && msg.contains("permission denied") ? 126 : 128;
            b.rec = r.failed(code, msg);
            ignore(() -> store.put(b.rec));
            for (Sessions.ContainerAttach a : b.pending) a.conn.complete(null);
            b.pending.clear();
            if (e instanceof BerthException be) throw be;
            throw new BerthException(BerthException.Kind.INTERNAL, "starting container " + b.id + ": " + msg, e);
        }
    }

    /** Cleared when the kernel refuses overlay's volatile option (before 5.10): then --rm rootfs mount as any other. */
    private volatile boolean volatileOverlay = true;

    /** Mounts a container's snapshot on its rootfs; volatile for --rm containers (see {@link VolatileRootfs}). */
    private void mountRootfs(ContainerRecord r, Path rootfs) throws IOException {
        List<io.berth.spec.runtime.Mount> mounts = snapshots.mounts(r.snapshotKey());
        List<io.berth.spec.runtime.Mount> v = autoRemove(r) && volatileOverlay ? VolatileRootfs.of(mounts) : null;
        if (v != null) {
            try {
                mounter.mount(v, rootfs);
                return;
            } catch (IOException e) {
                volatileOverlay = false;
                LOG.log(System.Logger.Level.WARNING, "overlay refuses the volatile option (" + e.getMessage() + "); --rm containers mount as others");
            }
        }
        mounter.mount(mounts, rootfs);
    }

    /** The spec generator's view of a container: the stored request translated to engine terms. */
    private ContainerConfig config(ContainerRecord r) {
        ContainerSpec s = r.spec();
        HostSpec h = s.host() == null ? HostSpec.DEFAULT : s.host();
        ContainerConfig.NamespaceMode net = "host".equals(networkMode(h)) ? ContainerConfig.NamespaceMode.HOST : ContainerConfig.NamespaceMode.PRIVATE;
        HostSpec.Resources res = h.resources() == null ? HostSpec.Resources.NONE : h.resources();
        return ContainerConfig.builder(r.id()).image(r.imageConfig()).entrypoint(s.entrypoint()).cmd(s.cmd()).env(s.env())
                .workingDir(s.workingDir()).user(s.user()).hostname(s.hostname()).tty(s.tty())
                .consoleSize(h.consoleSize() != null && h.consoleSize().size() == 2
                        ? new ContainerConfig.ConsoleSize(h.consoleSize().get(0), h.consoleSize().get(1)) : null)
                .privileged(h.privileged()).capAdd(h.capAdd()).capDrop(h.capDrop()).securityOpt(h.securityOpt())
                .readOnlyRootfs(h.readOnlyRootfs()).tmpfs(h.tmpfs()).mounts(volumeMounts.mounts(r.id(), mountRequests(h))).init(Boolean.TRUE.equals(h.init()))
                .ulimits(h.ulimits() == null ? null : h.ulimits().stream().map(u -> new ContainerConfig.Ulimit(u.name(), u.soft(), u.hard())).toList())
                .shmSize(h.shmSize()).network(net).pid(ns(h.pidMode())).ipc(ns(h.ipcMode())).uts(ns(h.utsMode()))
                .groupAdd(h.groupAdd()).sysctls(h.sysctls()).oomScoreAdj(h.oomScoreAdj())
                .resources(new ContainerConfig.ResourceLimits(res.memory(), res.memorySwap(), res.memoryReservation(), null, null,
                        res.nanoCpus(), res.cpuShares(), res.cpuQuota(), res.cpuPeriod(), res.cpusetCpus(), res.cpusetMems(),
                        res.pidsLimit(), res.blkioWeight()))
                .build();
    }

    private static ContainerConfig.NamespaceMode ns(String mode) {
        if (mode == null || mode.isEmpty() || mode.equals("private")) return null;
        if (mode.equals("host")) return ContainerConfig.NamespaceMode.HOST;
        throw BerthException.invalid("namespace mode %s is not supported", mode);
    }

    private Path logPath(String id) { return containersDir.resolve(id).resolve(id + "-json.log"); }

    // ---- exits and restart policies -----------------------------------------------------------------

    private void monitor(Box b, int gen) {
        try (io.berth.engine.runtime.ExitWatch.Signal exit = runtime.exitSignal(b.id)) {
            monitor(b, gen, exit);
        }
    }

    private void monitor(Box b, int gen, io.berth.engine.runtime.ExitWatch.Signal exit) {
        long nextCheck = System.nanoTime() + LIVENESS.toNanos();
        while (!closed) {
            OptionalInt code = runtime.exitCode(b.id);
            if (code.isPresent()) {
                if (Trace.ON) ignore(() -> Trace.note("exit-seen", b.id, "lag " + java.time.Duration.between(
                        Files.getLastModifiedTime(runtime.config().exitDir().resolve(b.id)).toInstant(), Instant.now()).toMillis() + " ms"));
                exited(b, gen, code.getAsInt(), null);
                return;
            }
            if (System.nanoTime() - nextCheck >= 0) { // about every second: is conmon still there?
                nextCheck = System.nanoTime() + LIVENESS.toNanos();
                try {
                    Liveness l = runtime.check(b.id);
                    switch (l) {
                        case Liveness.Exited e -> { exited(b, gen, e.code(), null, e.at()); return; }
                        case Liveness.Lost lost -> {
                            if (lost.stillRunning()) ignore(() -> runtime.delete(b.id, true));
                            exited(b, gen, 137, "the container's monitor (conmon) was lost");
                            return;
                        }
                        case Liveness.Unknown u -> { exited(b, gen, 255, "the runtime no longer knows the container"); return; }
                        case Liveness.Monitored m -> { }
                    }
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.DEBUG, "checking container " + b.id + ": " + e.getMessage());
                }
            }
            try {
                exit.await(LIVENESS, POLL); // woken by conmon writing the exit file
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Records an exit (once per run), releases the runtime state and the rootfs mount, wakes waiters, applies policies. */
    private void exited(Box b, int gen, int code, String why) { exited(b, gen, code, why, Instant.now()); }

    /** {@code at}: when it exited; for an exit conmon recorded while no daemon watched, its exit file's time. */
    private void exited(Box b, int gen, int code, String why, Instant at) {
        java.util.concurrent.CompletableFuture<Integer> wake;
        boolean wasStopped;
        synchronized (b) {
            if (closed || b.generation != gen || !b.rec.running()) return;
            Trace.Laps t = Trace.laps("exit", b.id);
            ignore(() -> recordOom(b.id)); // before delete: the cgroup goes with the runtime state
            t.lap("oom");
            if (autoRemove(b.rec) && !poststopHooks) {
                removedAtExit(b, code, at, why, t);
                return;
            }
            // runc delete (a process, tens of ms) runs while the rootfs is unmounted and the exit is
            // stored: neither touches the runtime's state. Poststop hooks run inside delete and may
            // look at the rootfs, so with any configured the old order stays.
            // A --rm container's delete is not waited for (below), and starts a moment later so that its
            // runc process does not compete for the CPU with the removal the client is waiting for.
            java.util.concurrent.Executor deleter = autoRemove(b.rec)
                    ? java.util.concurrent.CompletableFuture.delayedExecutor(250, java.util.concurrent.TimeUnit.MILLISECONDS, Thread::startVirtualThread)
                    : Thread::startVirtualThread;
            java.util.concurrent.CompletableFuture<Void> delete = poststopHooks ? null
                    : java.util.concurrent.CompletableFuture.runAsync(() -> ignore(() -> runtime.delete(b.id, true)), deleter);
            if (delete == null) ignore(() -> runtime.delete(b.id, true));
            ignore(() -> unmount(containersDir.resolve(b.id).resolve("rootfs")));
            t.lap("umount");
            ignore(() -> networks.tearDown(b.id));
            t.lap("network");
            b.rec = b.rec.exited(code, at, why);
            // --rm: recorded as being removed in the same write (the removal follows at once, and a
            // daemon that dies first finishes it on restart), saving the removal its own commit.
            if (autoRemove(b.rec)) b.rec = b.rec.withStatus(Status.REMOVING);
            ignore(() -> store.put(b.rec));
            t.lap("db");
            // A --rm container's runtime state is never used again (its ID is not reused): its delete
            // finishes in the background instead of before the removal. A crash in between leaves runtime
            // state without a record, which the orphan sweep at start deletes. Others wait: a restart
            // creates the same ID again.
            if (delete != null && !autoRemove(b.rec)) delete.join();
            t.lap("runc-delete");
            t.end();
            wake = b.nextExit;
            b.nextExit = new java.util.concurrent.CompletableFuture<>();
            wasStopped = b.rec.manuallyStopped();
            emit(b, "die", Map.of("exitCode", Integer.toString(code)));
        }
        wake.complete(code);
        afterExit(b, code, wasStopped);
    }

    /**
     * The exit of a {@code --rm} container (under its lock): it is removed as far as anyone can see in
     * one commit (its row deleted: name free, gone from list and inspect, {@code wait condition=removed}
     * answered), and its files are cleaned up right after, off the client's path: the rootfs
     * unmounted, the bundle directory, snapshot, network files and conmon's files deleted.
     *
     * <p>What must not wait stays here: the network teardown when another container could notice it
     * (published ports, DNS names, requested addresses; {@link io.berth.engine.network.ContainerNetworking#observable})
     * and the volume references ({@code volume rm} right after the run
     * must work). A daemon that dies before the clean-up finishes leaves files of an unknown ID, which
     * the orphan sweep and the network recovery at the next start remove; the runtime's state is
     * deleted a moment later as for every {@code --rm} exit.
     */
    private void removedAtExit(Box b, int code, Instant at, String why, Trace.Laps t) {
        java.util.concurrent.CompletableFuture.runAsync(() -> ignore(() -> runtime.delete(b.id, true)),
                java.util.concurrent.CompletableFuture.delayedExecutor(250, java.util.concurrent.TimeUnit.MILLISECONDS, Thread::startVirtualThread));
        // Ports, DNS names and requested addresses must be free before the answer; a plain default-bridge
        // namespace is torn down by the clean-up (forget) instead.
        if (networks.observable(b.id)) ignore(() -> networks.tearDown(b.id));
        t.lap("network");
        b.rec = b.rec.exited(code, at, why).withStatus(Status.REMOVING);
        try {
            store.delete(b.id);
        } catch (RuntimeException e) {
            // The row stays as it was: the next start re-adopts the container, sees the exit and removes it.
            LOG.log(System.Logger.Level.WARNING, "removing container " + b.id + " at its exit: " + e.getMessage());
            t.end();
            return;
        }
        t.lap("db");
        b.generation++; // no monitor may record anything any more
        b.removing = true;
        volumeMounts.release(b.id, true);
        boxes.remove(b.id);
        String snapshotKey = b.rec.snapshotKey();
        for (Sessions.ContainerAttach a : b.pending) a.conn.complete(null);
        emit(b, "die", Map.of("exitCode", Integer.toString(code)));
        emit(b, "destroy", Map.of());
        java.util.concurrent.CompletableFuture<Integer> wake = b.nextExit;
        b.nextExit = new java.util.concurrent.CompletableFuture<>();
        wake.complete(code);
        b.removed.complete(code);
        t.end();
        cleaning.add(b.id);
        spawn("cleanup-" + b.id.substring(0, 12), () -> {
            try {
                cleanUpRemoved(b.id, snapshotKey);
            } finally {
                cleaning.remove(b.id);
            }
        });
    }

    /** The files of a container whose record is gone; each step on its own, so one failure leaves only its own litter. */
    private void cleanUpRemoved(String id, String snapshotKey) {
        Trace.Laps t = Trace.laps("cleanup", id);
        execSessions.forgetContainer(id);
        Path dir = containersDir.resolve(id);
        try {
            unmount(dir.resolve("rootfs"));
        } catch (IOException e) {
            // Still mounted: deleting the tree would walk into the container's files. The sweep at start retries.
            LOG.log(System.Logger.Level.WARNING, "cleaning up removed container " + id + ": unmounting its root filesystem: " + e.getMessage());
            return;
        }
        t.lap("umount");
        ignore(() -> runtime.forget(id));
        ignore(() -> networks.forget(id));
        t.lap("forget");
        deleteTree(dir);
        t.lap("rmdir");
        ignore(() -> store.atomically(c -> {
            removeSnapshot(snapshotKey);
            return null;
        }));
        t.lap("snapshot");
        t.end();
    }

    private static boolean autoRemove(ContainerRecord r) {
        return r.spec().host() != null && r.spec().host().autoRemove();
    }

    private void afterExit(Box b, int code, boolean manuallyStopped) {
        ContainerRecord r = b.rec;
        HostSpec h = r.spec().host() == null ? HostSpec.DEFAULT : r.spec().host();
        if (h.autoRemove()) {
            spawn("autoremove-" + b.id.substring(0, 12), () -> ignore(() -> remove(b.id, true, false)));
            return;
        }
        String policy = h.restartPolicy() == null ? "no" : h.restartPolicy();
        boolean restart = switch (policy) {
            case "always" -> !manuallyStopped;
            case "unless-stopped" -> !manuallyStopped;
            case "on-failure" -> code != 0 && !manuallyStopped && (h.restartMaxRetries() <= 0 || r.restartCount() < h.restartMaxRetries());
            default -> false;
        };
        if (!restart) return;
        long backoff = Math.min(10_000, 100L << Math.min(r.restartCount(), 7));
        synchronized (b) {
            if (b.rec.status() != Status.EXITED) return;
            b.rec = b.rec.withStatus(Status.RESTARTING);
            ignore(() -> store.put(b.rec));
        }
        spawn("restart-" + b.id.substring(0, 12), () -> {
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                return;
            }
            awaitNetworking();
            synchronized (b) {
                if (closed || b.removing || b.rec.status() != Status.RESTARTING) return;
                try {
                    doStart(b, true);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "restarting container " + b.id + ": " + e.getMessage());
                    b.rec = b.rec.withStatus(Status.EXITED);
                    ignore(() -> store.put(b.rec));
                }
            }
        });
    }

    /** Daemon start: every recorded container is matched with what conmon and the runtime know. */
    private void readopt() {
        for (ContainerRecord r : store.all()) {
            Box b = new Box(r);
            boxes.put(r.id(), b);
        }
        for (Box b : boxes.values()) {
            try {
                readopt(b);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "re-adopting container " + b.id + ": " + e.getMessage());
            }
        }
    }

    private void readopt(Box b) {
        ContainerRecord r = b.rec;
        Path rootfs = containersDir.resolve(b.id).resolve("rootfs");
        switch (r.status()) {
            case RUNNING, PAUSED -> {
                Liveness l = runtime.check(b.id);
                switch (l) {
                    case Liveness.Monitored m -> {
                        int gen = ++b.generation;
                        spawn("monitor-" + b.id.substring(0, 12), () -> monitor(b, gen));
                    }
                    case Liveness.Exited e -> exited(b, b.generation, e.code(), null, e.at());
                    case Liveness.Lost lost -> {
                        if (lost.stillRunning()) ignore(() -> runtime.delete(b.id, true));
                        exited(b, b.generation, 137, "the container's monitor (conmon) was lost while the daemon was down");
                    }
                    case Liveness.Unknown u -> exited(b, b.generation, 255, "the container was lost while the daemon was down");
                }
            }
            case RESTARTING -> {
                synchronized (b) {
                    b.rec = r.withStatus(Status.EXITED);
                    store.put(b.rec);
                }
                afterExit(b, r.exitCode(), r.manuallyStopped());
            }
            case REMOVING, DEAD -> ignore(() -> remove(b.id, true, false));
            default -> {
                // Created or exited per the record. A process found alive was started by a daemon that
                // died before recording it: the record wins (no container runs unaccounted for).
                Liveness l = runtime.check(b.id);
                if (l instanceof Liveness.Monitored || l instanceof Liveness.Lost lost && lost.stillRunning()) {
                    LOG.log(System.Logger.Level.WARNING, "container " + b.id + " is running but recorded as "
                            + r.status().word() + " (the daemon died while starting it): killing it");
                    ignore(() -> runtime.delete(b.id, true));
                }
                ignore(() -> unmount(rootfs)); // nothing may stay mounted for a container that does not run
                if (StartupRestarts.removeInstead(r)) spawn("autoremove-" + b.id.substring(0, 12), () -> ignore(() -> remove(b.id, true, false)));
                else if (StartupRestarts.wanted(r)) startAtDaemonStart(b);
            }
        }
    }

    /** Starts a stopped container whose restart policy says so when the daemon starts (see {@link StartupRestarts}). */
    private void startAtDaemonStart(Box b) {
        spawn("restart-" + b.id.substring(0, 12), () -> {
            awaitNetworking();
            synchronized (b) {
                if (closed || b.removing || b.rec.status() != Status.EXITED) return;
                try {
                    doStart(b, false);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "starting container " + b.id + " at daemon start (restart policy): " + e.getMessage());
                }
            }
        });
    }

    // ---- stop, kill, pause --------------------------------------------------------------------------

    @Override
    public void stop(String ref, Integer timeoutSeconds, String signal) {
        ensureOpen();
        Box b = find(ref);
        java.util.concurrent.CompletableFuture<Integer> exit;
        int sig;
        int timeout;
        synchronized (b) {
            ContainerRecord r = b.rec;
            if (r.status() == Status.RESTARTING) {
                b.rec = r.withStatus(Status.EXITED).withManuallyStopped(true);
                store.put(b.rec);
                return;
            }
            if (!r.running()) throw BerthException.notModified("container %s is already stopped", b.id);
            b.rec = r.withManuallyStopped(true);
            store.put(b.rec);
            String stopSignal = signal != null && !signal.isEmpty() ? signal : r.spec().stopSignal() != null ? r.spec().stopSignal()
                    : r.imageConfig().config() != null ? r.imageConfig().config().stopSignal() : null;
            sig = Signals.parse(stopSignal, Signals.SIGTERM);
            timeout = timeoutSeconds != null ? timeoutSeconds : r.spec().stopTimeout() != null ? r.spec().stopTimeout() : 10;
            exit = b.nextExit;
            signal(b, sig);
        }
        if (timeout < 0 ? await(exit, Duration.ofDays(365)) : await(exit, Duration.ofSeconds(timeout))) { emit(b, "stop", Map.of()); return; }
        synchronized (b) {
            if (!b.rec.running()) { emit(b, "stop", Map.of()); return; }
            signal(b, Signals.SIGKILL);
        }
        if (!await(exit, Duration.ofSeconds(30)))
            throw BerthException.unavailable("stopping container %s: it did not exit after SIGKILL", b.id);
        emit(b, "stop", Map.of());
    }

    /** Sends a signal to pid 1 of a running (or paused: it is resumed to receive it) container. */
    private void signal(Box b, int sig) {
        runtime.kill(b.id, sig, sig == Signals.SIGKILL);
        emit(b, "kill", Map.of("signal", Integer.toString(sig)));
        if (b.rec.status() == Status.PAUSED && (sig == Signals.SIGKILL || sig == Signals.SIGTERM)) {
            // SIGKILL ends even frozen tasks (cgroup v2), after which runc has nothing to resume
            ignore(() -> runtime.resume(b.id));
            b.rec = b.rec.withStatus(Status.RUNNING);
            store.put(b.rec);
        }
    }

    private static boolean await(java.util.concurrent.CompletableFuture<Integer> f, Duration d) {
        try {
            f.get(d.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BerthException.unavailable("waiting for a container: interrupted");
        } catch (ExecutionException e) {
            return true;
        }
    }

    @Override
    public void restart(String ref, Integer timeoutSeconds, String signal) {
        ensureOpen();
        Box b = find(ref);
        try {
            stop(b.id, timeoutSeconds, signal);
        } catch (BerthException e) {
            if (e.kind() != BerthException.Kind.NOT_MODIFIED) throw e;
        }
        synchronized (b) {
            if (b.rec.running()) return; // restarted by its policy meanwhile
            if (b.rec.status() == Status.RESTARTING) b.rec = b.rec.withStatus(Status.EXITED);
            Transitions.check(b.id, b.rec.status(), Status.RUNNING);
            doStart(b, false);
        }
    }

    @Override
    public void kill(String ref, String signal) {
        ensureOpen();
        Box b = find(ref);
        int sig = Signals.parse(signal, Signals.SIGKILL);
        synchronized (b) {
            if (!b.rec.running()) throw BerthException.conflict("Container %s is not running", b.id);
            if (sig == Signals.SIGKILL) {
                b.rec = b.rec.withManuallyStopped(true);
                store.put(b.rec);
            }
            signal(b, sig);
        }
    }

    @Override
    public void pause(String ref) {
        ensureOpen();
        Box b = find(ref);
        synchronized (b) {
            Status s = b.rec.status();
            if (s == Status.PAUSED) throw BerthException.conflict("Container %s is already paused", b.id);
            if (s != Status.RUNNING) throw BerthException.conflict("Container %s is not running", b.id);
            Transitions.check(b.id, s, Status.PAUSED);
            runtime.pause(b.id);
            b.rec = b.rec.withStatus(Status.PAUSED);
            store.put(b.rec);
            emit(b, "pause", Map.of());
        }
    }

    @Override
    public void unpause(String ref) {
        ensureOpen();
        Box b = find(ref);
        synchronized (b) {
            Status s = b.rec.status();
            if (s != Status.PAUSED) throw BerthException.conflict("Container %s is not paused", b.id);
            runtime.resume(b.id);
            b.rec = b.rec.withStatus(Status.RUNNING);
            store.put(b.rec);
            emit(b, "unpause", Map.of());
        }
    }

    // ---- wait, remove, rename ------------------------------------------------------------------------

    @Override
    public WaitResult wait(String ref, WaitCondition condition) {
        ensureOpen();
        Box b = find(ref);
        java.util.concurrent.CompletableFuture<Integer> f;
        synchronized (b) {
            WaitCondition c = condition == null ? WaitCondition.NOT_RUNNING : condition;
            f = switch (c) {
                case REMOVED -> b.removed;
                case NEXT_EXIT -> b.nextExit;
                case NOT_RUNNING -> {
                    Status s = b.rec.status();
                    if (s != Status.RUNNING && s != Status.PAUSED && s != Status.RESTARTING) yield java.util.concurrent.CompletableFuture.completedFuture(b.rec.exitCode());
                    yield b.nextExit;
                }
            };
        }
        try {
            return new WaitResult(f.get(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BerthException.unavailable("waiting for container %s: interrupted", b.id);
        } catch (ExecutionException e) {
            return new WaitResult(b.rec.exitCode(), e.getCause().getMessage());
        }
    }

    @Override
    public void remove(String ref, boolean force, boolean volumes) {
        ensureOpen();
        Box b = find(ref);
        java.util.concurrent.CompletableFuture<Integer> exit = null;
        synchronized (b) {
            Status s = b.rec.status();
            if (s == Status.REMOVING && b.removed.isDone()) throw BerthException.notFound("No such container: %s", ref);
            if (b.rec.running() && force || !b.rec.running()) b.removing = true;
            if (b.rec.status() == Status.RESTARTING) {
                b.rec = b.rec.withStatus(Status.EXITED);
                ignore(() -> store.put(b.rec));
            }
            if (b.rec.running()) {
                if (!force) {
                    throw BerthException.conflict(s == Status.PAUSED
                            ? "You cannot remove a paused container %s. Unpause and then stop the container before attempting removal or force remove"
                            : "You cannot remove a running container %s. Stop the container before attempting removal or force remove", b.id);
                }
                b.rec = b.rec.withManuallyStopped(true);
                exit = b.nextExit;
                signal(b, Signals.SIGKILL);
            }
        }
        if (exit != null && !await(exit, Duration.ofSeconds(30))) {
            LOG.log(System.Logger.Level.WARNING, "removing container " + b.id + ": no exit seen after SIGKILL; deleting it anyway");
        }
        int code;
        Trace.Laps t = Trace.laps("remove", b.id);
        synchronized (b) {
            t.lap("lock");
            if (!boxes.containsKey(b.id)) return;
            if (b.rec.status() != Status.REMOVING) {
                if (b.rec.running() && exit == null) throw BerthException.conflict("You cannot remove a running container %s. Stop the container before attempting removal or force remove", b.id);
                if (b.rec.status() == Status.RESTARTING) b.rec = b.rec.withStatus(Status.EXITED);
                if (!b.rec.running()) Transitions.check(b.id, b.rec.status(), Status.REMOVING);
                b.rec = b.rec.withStatus(Status.REMOVING);
                ignore(() -> store.put(b.rec));
            }
            b.generation++; // no monitor may record anything any more
            Path dir = containersDir.resolve(b.id);
            // Runtime state exists only while the record says running (exits delete it before recording).
            if (exit != null) ignore(() -> runtime.delete(b.id, true));
            execSessions.forgetContainer(b.id);
            try {
                unmount(dir.resolve("rootfs"));
            } catch (IOException e) {
                throw new BerthException(BerthException.Kind.UNAVAILABLE, "removing container " + b.id + ": unmounting its root filesystem: " + e.getMessage(), e);
            }
            t.lap("db+umount");
            runtime.forget(b.id);
            ignore(() -> networks.forget(b.id));
            t.lap("forget");
            deleteTree(dir);
            t.lap("rmdir");
            // Snapshot and row go in one commit; until it, the REMOVING row makes a restarted daemon finish the job.
            store.atomically(c -> {
                removeSnapshot(b.rec.snapshotKey());
                store.delete(b.id);
                return null;
            });
            t.lap("snapshot+db");
            volumeMounts.release(b.id, volumes || b.rec.spec().host() != null && b.rec.spec().host().autoRemove());
            boxes.remove(b.id);
            code = b.rec.exitCode();
            for (Sessions.ContainerAttach a : b.pending) a.conn.complete(null);
            emit(b, "destroy", Map.of());
        }
        b.nextExit.complete(code);
        b.removed.complete(code);
        t.end();
    }

    @Override
    public void rename(String ref, String newName) {
        ensureOpen();
        Box b = find(ref);
        String n = newName == null ? "" : newName.startsWith("/") ? newName.substring(1) : newName;
        if (n.isEmpty()) throw BerthException.invalid("Neither old nor new names may be empty");
        if (!Names.valid(n)) throw BerthException.invalid("Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", n);
        synchronized (names) {
            synchronized (b) {
                if (b.rec.name().equals(n)) throw BerthException.conflict("Renaming a container with the same name as its current name");
                Box other = byName(n);
                if (other != null) throw nameConflict(n, other.id);
                ContainerRecord renamed = b.rec.withName(n);
                store.put(renamed);
                String old = b.rec.name();
                b.rec = renamed;
                emit(b, "rename", Map.of("oldName", "/" + old));
            }
        }
    }

    // ---- inspect, list -------------------------------------------------------------------------------

    @Override
    public ContainerDetails inspect(String ref) {
        ensureOpen();
        Box b = find(ref);
        ContainerRecord r = b.rec;
        ContainerSpec s = r.spec();
        ImageConfig.Config ic = imageConfigOf(r);
        List<String> argv = SpecOpts.dockerArgs(ic, s.entrypoint(), s.cmd());
        String hostname = s.hostname() != null && !s.hostname().isEmpty() ? s.hostname() : r.id().substring(0, 12);
        List<String> env = SpecOpts.dockerEnv(ic.env(), s.env(), null, s.tty());
        // The name without "/": the server renders Docker's "/name" (ContainerJson adds the slash).
        return withNetwork(volumeMounts.decorate(new ContainerDetails(r.id(), r.name(), r.created(), r.imageId(), s.image(), argv.getFirst(),
                List.copyOf(argv.subList(1, argv.size())), state(r), s, env,
                s.workingDir() != null ? s.workingDir() : ic.workingDir() != null ? ic.workingDir() : "",
                s.user() != null ? s.user() : ic.user() != null ? ic.user() : "",
                containersDir.resolve(r.id()).resolve("rootfs").toString(), logPath(r.id()).toString(),
                labels(r), execSessions.ids(b.id), driver)));
    }

    private static ImageConfig.Config imageConfigOf(ContainerRecord r) {
        ImageConfig.Config c = r.imageConfig() == null ? null : r.imageConfig().config();
        return c != null ? c : new ImageConfig.Config(null, null, null, null, null, null, null, null, null);
    }

    private static Map<String, String> labels(ContainerRecord r) {
        Map<String, String> m = new java.util.TreeMap<>();
        ImageConfig.Config ic = imageConfigOf(r);
        if (ic.labels() != null) m.putAll(ic.labels());
        if (r.spec().labels() != null) m.putAll(r.spec().labels());
        return m;
    }

    private ContainerState state(ContainerRecord r) {
        return new ContainerState(r.status(), r.running() ? r.pid() : 0, r.exitCode(), r.error(),
                !r.running() && Files.exists(containersDir.resolve(r.id()).resolve(OOM_MARKER)), r.startedAt(), r.finishedAt(), r.restartCount());
    }

    @Override
    public List<ContainerSummary> list(ContainerListOptions options) {
        ensureOpen();
        ContainerListOptions o = options == null ? ContainerListOptions.RUNNING : options;
        Map<String, List<String>> f = o.filters() == null ? Map.of() : o.filters();
        for (String k : f.keySet()) {
            if (!Set.of("id", "name", "label", "status", "ancestor", "exited", "volume").contains(k))
                throw BerthException.invalid("invalid filter '%s'", k);
        }
        Instant now = Instant.now();
        Stream<ContainerRecord> recs = boxes.values().stream().map(x -> x.rec)
                .filter(r -> r.status() != Status.REMOVING && r.status() != Status.DEAD)
                .sorted(Comparator.comparing(ContainerRecord::created).reversed());
        boolean all = o.all() || f.containsKey("status") || f.containsKey("exited");
        List<ContainerSummary> out = new ArrayList<>();
        for (ContainerRecord r : recs.toList()) {
            if (!all && !r.running() && r.status() != Status.RESTARTING) continue;
            if (!matches(r, f)) continue;
            ImageConfig.Config ic = imageConfigOf(r);
            List<String> argv;
            try { argv = SpecOpts.dockerArgs(ic, r.spec().entrypoint(), r.spec().cmd()); } catch (BerthException e) { argv = List.of(); }
            out.add(withNetwork(volumeMounts.decorate(new ContainerSummary(r.id(), List.of("/" + r.name()), r.spec().image(), r.imageId(), String.join(" ", argv),
                    r.created(), r.status(), statusText(r, now), labels(r)), r.spec())));
            if (o.limit() > 0 && out.size() >= o.limit()) break;
        }
        return out;
    }

    private boolean matches(ContainerRecord r, Map<String, List<String>> f) {
        for (Map.Entry<String, List<String>> e : f.entrySet()) {
            if (e.getValue() == null || e.getValue().isEmpty()) continue;
            boolean any = false;
            for (String v : e.getValue()) {
                any |= switch (e.getKey()) {
                    case "id" -> r.id().startsWith(v);
                    case "name" -> NameFilter.matches(v, r.name());
                    case "label" -> {
                        Map<String, String> l = labels(r);
                        int eq = v.indexOf('=');
                        yield eq < 0 ? l.containsKey(v) : v.substring(eq + 1).equals(l.get(v.substring(0, eq)));
                    }
                    case "status" -> r.status().word().equals(v);
                    case "exited" -> r.status() == Status.EXITED && Integer.toString(r.exitCode()).equals(v);
                    case "ancestor" -> ancestor(r, v);
                    case "volume" -> volumeMounts.uses(r.id(), r.spec(), v);
                    default -> false;
                };
            }
            if (!any) return false;
        }
        return true;
    }

    private boolean ancestor(ContainerRecord r, String v) {
        if (v.equals(r.spec().image()) || r.imageId().equals(v) || r.imageId().startsWith("sha256:" + v)) return true;
        try {
            return images.resolveForContainer(v).imageId().equals(r.imageId());
        } catch (BerthException e) {
            return false;
        }
    }

    /** Docker's Status column: "Created", "Up 3 seconds (Paused)", "Exited (0) 2 minutes ago", "Restarting (1) …". */
    static String statusText(ContainerRecord r, Instant now) {
        return switch (r.status()) {
            case CREATED -> "Created";
            case RUNNING -> "Up " + human(Duration.between(r.startedAt(), now));
            case PAUSED -> "Up " + human(Duration.between(r.startedAt(), now)) + " (Paused)";
            case RESTARTING -> "Restarting (" + r.exitCode() + ") " + human(Duration.between(r.finishedAt(), now)) + " ago";
            case EXITED -> r.finishedAt() == null ? "Exited (" + r.exitCode() + ")"
                    : "Exited (" + r.exitCode() + ") " + human(Duration.between(r.finishedAt(), now)) + " ago";
            case REMOVING -> "Removal In Progress";
            case DEAD -> "Dead";
        };
    }

    /** Docker's human durations (go-units HumanDuration). */
    static String human(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 1) return "Less than a second";
        if (s == 1) return "1 second";
        if (s < 60) return s + " seconds";
        long m = d.toMinutes();
        if (m == 1) return "About a minute";
        if (m < 60) return m + " minutes";
        long h = Math.round(d.toMinutes() / 60.0);
        if (h == 1) return "About an hour";
        if (h < 48) return h + " hours";
        if (h < 24 * 7 * 2) return h / 24 + " days";
        if (h < 24 * 30 * 2) return h / 24 / 7 + " weeks";
        if (h < 24 * 365 * 2) return h / 24 / 30 + " months";
        return h / 24 / 365 + " years";
    }

    // ---- logs, attach, resize ------------------------------------------------------------------------

    @Override
    public LogStream logs(String ref, LogOptions options) {
        ensureOpen();
        Box b = find(ref);
        LogOptions o = options == null ? LogOptions.ALL : options;
        LogQuery q = new LogQuery(o.stdout(), o.stderr(), o.since(), o.until(), o.tail(), o.follow());
        return new Logs(logPath(b.id), q, b.rec.spec().tty(), () -> {
            Status s = b.rec.status();
            return closed || !(s == Status.RUNNING || s == Status.PAUSED || s == Status.RESTARTING);
        });
    }

    @Override
    public AttachSession attach(String ref, AttachOptions options) {
        ensureOpen();
        Box b = find(ref);
        AttachOptions o = options == null ? AttachOptions.OUTPUT : options;
        synchronized (b) {
            ContainerRecord r = b.rec;
            if (r.status() == Status.REMOVING || r.status() == Status.DEAD)
                throw BerthException.conflict("Container %s is %s: cannot attach", b.id, r.status().word());
            Sessions.ContainerAttach[] self = new Sessions.ContainerAttach[1];
            Sessions.ContainerAttach a = new Sessions.ContainerAttach(o, r.spec().tty(), r.spec().openStdin(),
                    () -> exitCodeAfterOutput(b), () -> b.pending.remove(self[0]));
            self[0] = a;
            if (o.logs()) {
                for (io.berth.engine.runtime.LogEntry e : K8sFileLog.read(logPath(b.id), new LogQuery(o.stdout(), o.stderr(), null, null, -1, false)))
                    a.addReplay(new AttachSession.Frame(Sessions.map(e.stream()), e.data()));
            }
            if (!o.stream()) {
                a.conn.complete(null);
            } else if (r.running()) {
                a.conn.complete(runtime.attach(b.id));
            } else {
                b.pending.add(a); // connected by the next start, before the process runs
            }
            emit(b, "attach", Map.of());
            return a;
        }
    }

    /**
     * The exit code once the attach stream has ended: conmon closes the socket around the time it writes
     * the exit file, so give it a moment (bounded) rather than answer null for a process that has ended.
     */
    private Integer exitCodeAfterOutput(Box b) {
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        for (;;) {
            Status s = b.rec.status();
            if (s == Status.EXITED || s == Status.RESTARTING || s == Status.REMOVING) return b.rec.exitCode();
            OptionalInt c = runtime.exitCode(b.id);
            if (c.isPresent()) return c.getAsInt();
            if (System.nanoTime() > deadline) return null;
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    @Override
    public void resize(String ref, int height, int width) {
        ensureOpen();
        Box b = find(ref);
        if (!b.rec.running()) throw BerthException.conflict("Container %s is not running", b.id);
        runtime.resize(b.id, height, width);
    }

    // ---- exec ----------------------------------------------------------------------------------------

    @Override
    public String execCreate(String ref, ExecSpec spec) {
        ensureOpen();
        return execSessions.create(ref, spec);
    }

    @Override
    public AttachSession execStart(String execId, boolean detach, boolean tty) {
        ensureOpen();
        return execSessions.start(execId, detach, tty);
    }

    @Override
    public void execResize(String execId, int height, int width) {
        ensureOpen();
        execSessions.resize(execId, height, width);
    }

    @Override
    public ExecDetails execInspect(String execId) {
        ensureOpen();
        return execSessions.inspect(execId);
    }

    // ---- helpers -------------------------------------------------------------------------------------

    /** Full ID, exact name (with or without "/"), or unique ID prefix, as Docker resolves them. */
    private Box find(String ref) {
        if (ref == null || ref.isEmpty()) throw BerthException.invalid("container reference is empty");
        Box b = boxes.get(ref);
        if (b != null) return b;
        String name = ref.startsWith("/") ? ref.substring(1) : ref;
        b = byName(name);
        if (b != null) return b;
        if (ref.matches("[a-f0-9]+")) {
            List<Box> found = boxes.values().stream().filter(x -> x.id.startsWith(ref)).toList();
            if (found.size() == 1) return found.getFirst();
            if (found.size() > 1) throw BerthException.invalid("Multiple IDs found with provided prefix: %s", ref);
        }
        throw BerthException.notFound("No such container: %s", ref);
    }

    private void unmount(Path rootfs) throws IOException {
        if (Files.exists(rootfs) && Mounter.isMountPoint(rootfs)) mounter.unmount(rootfs);
    }

    private void removeSnapshot(String key) {
        try {
            snapshots.remove(key);
        } catch (BerthException e) {
            if (e.kind() != BerthException.Kind.NOT_FOUND) throw e;
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.UNAVAILABLE, "removing snapshot " + key + ": " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "deleting " + dir + ": " + e.getMessage());
        }
    }

    @FunctionalInterface
    private interface Step { void run() throws Exception; }

    private static void ignore(Step s) {
        try {
            s.run();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, "ignored: " + e.getMessage());
        }
    }

    private void spawn(String name, Runnable r) {
        Thread t = Thread.ofVirtual().name(name).unstarted(() -> {
            try {
                r.run();
            } finally {
                threads.remove(Thread.currentThread());
            }
        });
        threads.add(t);
        t.start();
    }

    private void ensureOpen() {
        if (closed) throw BerthException.unavailable("the container service is closed");
    }

    /** Stops monitoring and restart timers; the containers keep running (re-adopted at the next open). */
    @Override
    public void close() {
        closed = true; // no exit records (or starts a clean-up) from here on
        // Running --rm clean-ups finish first: interrupted, or overtaken by the network service's close,
        // they would leave a namespace or mount for the next start to sweep.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!cleaning.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Thread t : threads) t.interrupt();
        for (Thread t : threads) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Box b : boxes.values()) for (Sessions.ContainerAttach a : b.pending) a.conn.complete(null);
        runtime.stopExitWatch();
    }

    // ---- stats, top, update (resources) ----------------------------------------------------------

    /** Present in the container's directory when its last run was ended by the OOM killer (State.OOMKilled). */
    private static final String OOM_MARKER = "oom-killed";

    private void recordOom(String id) throws IOException {
        Cgroups cg = cgroups(id);
        if (cg != null && cg.oomKills() > 0) Files.writeString(containersDir.resolve(id).resolve(OOM_MARKER), "");
    }

    /** The running container's cgroup, from the spec it was started with; null when it has none. */
    private Cgroups cgroups(String id) {
        Box b = boxes.get(id);
        String known = b == null ? null : b.cgroupsPath;
        if (known != null && !known.isEmpty()) return Cgroups.of(known);
        try {
            Spec spec = ContainerStore.JSON.readValue(containersDir.resolve(id).resolve("config.json").toFile(), Spec.class);
            String p = spec.linux() == null ? null : spec.linux().cgroupsPath();
            return p == null || p.isEmpty() ? null : Cgroups.of(p);
        } catch (IOException e) {
            return null;
        }
    }

    private Cgroups runningCgroups(Box b) {
        if (!b.rec.running()) throw BerthException.conflict("Container %s is not running", b.id);
        Cgroups cg = cgroups(b.id);
        if (cg == null) throw BerthException.conflict("Container %s has no cgroup", b.id);
        return cg;
    }

    @Override
    public ContainerStats stats(String ref, boolean oneShot) {
        ensureOpen();
        Box b = find(ref);
        Cgroups cg = runningCgroups(b);
        ContainerStats first = cg.sample(b.id, b.rec.name());
        if (oneShot) return first;
        try {
            Thread.sleep(1000); // Docker's non-stream stats: a second sample a second later gives CPU %
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return first;
        }
        if (!b.rec.running()) return first;
        return cg.sample(b.id, b.rec.name()).withPrevious(first);
    }

    @Override
    public ProcessList top(String ref, String psArgs) {
        ensureOpen();
        Box b = find(ref);
        return runningCgroups(b).top(psArgs);
    }

    @Override
    public List<String> update(String ref, ContainerUpdate u) {
        ensureOpen();
        Box b = find(ref);
        synchronized (b) {
            ContainerRecord r = b.rec;
            HostSpec h = r.spec().host() == null ? HostSpec.DEFAULT : r.spec().host();
            HostSpec nh = new HostSpec(h.binds(), h.mounts(), h.tmpfs(), h.networkMode(), h.autoRemove(), h.privileged(), h.capAdd(),
                    h.capDrop(), h.securityOpt(), h.readOnlyRootfs(), h.init(), h.ulimits(), h.shmSize(),
                    u.restartPolicy() != null && !u.restartPolicy().isEmpty() ? u.restartPolicy() : h.restartPolicy(),
                    u.restartPolicy() != null && !u.restartPolicy().isEmpty() && u.restartMaxRetries() != null ? u.restartMaxRetries() : h.restartMaxRetries(),
                    Cgroups.merge(h.resources(), u), h.runtime(), h.groupAdd(), h.sysctls(), h.oomScoreAdj(), h.pidMode(), h.ipcMode(),
                    h.utsMode(), h.consoleSize());
            if (nh.autoRemove() && !"no".equals(nh.restartPolicy()) && nh.restartPolicy() != null)
                throw BerthException.invalid("Restart policy cannot be updated because AutoRemove is enabled for the container");
            ContainerRecord nr = r.withSpec(r.spec().withHost(nh));
            List<String> warnings = List.of();
            if (r.running()) {
                Path dir = containersDir.resolve(b.id);
                // The same translation as at start (swap defaults, --cpus to quota), then runc applies the cgroup part.
                SpecGenerator.Generated g = generator.generate(networks.configure(b.id, config(nr)), dir.resolve("rootfs"));
                io.berth.spec.runtime.Resources res = g.spec().linux() == null ? null : g.spec().linux().resources();
                if (res == null) res = io.berth.spec.runtime.Resources.EMPTY;
                try {
                    runtime.update(b.id, ContainerStore.JSON.writeValueAsString(res.withDevices(null)));
                } catch (IOException e) {
                    throw BerthException.internal("updating container " + b.id + ": " + e.getMessage(), e);
                }
                warnings = g.warnings();
            }
            store.putSpec(nr);
            b.rec = nr;
            return warnings;
        }
    }

    // ---- cp (archive endpoints) ---------------------------------------------------------------------

    private final ContainerArchives archives = new ContainerArchives();

    @Override
    public io.berth.api.container.PathStat archiveStat(String ref, String path) {
        return onRootfs(ref, rootfs -> archives.stat(copyView(ref, rootfs), ref, path));
    }

    @Override
    public io.berth.api.container.ArchiveRead archiveGet(String ref, String path) {
        return onRootfs(ref, rootfs -> archives.read(copyView(ref, rootfs), ref, path));
    }

    @Override
    public void archivePut(String ref, String path, java.io.InputStream tar, boolean noOverwriteDirNonDir) {
        onRootfs(ref, rootfs -> { archives.extract(copyView(ref, rootfs), ref, path, tar); return null; });
    }

    /**
     * Runs {@code op} on the container's root file system: the live mount while it runs; for a
     * stopped container the snapshot is mounted for the call and unmounted after. The box's lock is
     * held throughout, so the container can neither start on nor unmount a rootfs in use.
     */
    private <T> T onRootfs(String ref, java.util.function.Function<Path, T> op) {
        ensureOpen();
        Box b = find(ref);
        synchronized (b) {
            if (b.rec.status() == Status.REMOVING) throw BerthException.notFound("No such container: %s", ref);
            Path rootfs = containersDir.resolve(b.id).resolve("rootfs");
            boolean temporary = false;
            try {
                if (!Mounter.isMountPoint(rootfs)) {
                    Files.createDirectories(rootfs);
                    mounter.mount(snapshots.mounts(b.rec.snapshotKey()), rootfs);
                    temporary = true;
                }
            } catch (IOException e) {
                throw new BerthException(BerthException.Kind.UNAVAILABLE, "mounting the root file system of container " + b.id + ": " + e.getMessage(), e);
            }
            try {
                return op.apply(rootfs);
            } finally {
                if (temporary) ignore(() -> unmount(rootfs));
            }
        }
    }

    // ---- events and prune (EventBus, ContainerPrune) ------------------------------------------------------

    /** The bus the service publishes on; the daemon may hand it to other publishers (image events). */
    public EventBus eventBus() { return events; }

    /** Publishes a container event with Docker's attributes: the labels, image, name, then {@code extra}. */
    private void emit(Box b, String action, Map<String, String> extra) {
        ContainerRecord r = b.rec;
        Map<String, String> a = new java.util.TreeMap<>(labels(r));
        a.put("image", r.spec().image());
        a.put("name", r.name());
        a.putAll(extra);
        events.publish("container", action, b.id, a, r.spec().image());
    }

    @Override
    public EventStream events(EventOptions options) {
        ensureOpen();
        return events.subscribe(options == null ? EventOptions.LIVE : options, ref -> {
            try {
                return find(ref).id;
            } catch (BerthException e) {
                return null;
            }
        });
    }

    @Override
    public PruneReport prune(Map<String, List<String>> filters) {
        ensureOpen();
        return ContainerPrune.prune(this, filters == null ? Map.of() : filters, this::writableBytes);
    }

    /** Bytes in a container's writable layer (its snapshot), 0 when unknown. */
    private long writableBytes(String id) {
        Box b = boxes.get(id);
        if (b == null) return 0;
        try {
            return snapshots.usage(b.rec.snapshotKey());
        } catch (RuntimeException | IOException e) {
            return 0;
        }
    }

    // ---- system check (SystemCheck) -----------------------------------------------------------------------

    /**
     * The host preflight plus orphan cleanup: runtime state and conmon processes of containers
     * without a record are deleted and killed, rootfs mounts of containers that are not running are
     * unmounted, records said running whose runtime state vanished are recorded as exited.
     */
    @Override
    public SystemCheckReport systemCheck() {
        ensureOpen();
        List<String> cleaned = new ArrayList<>();
        try {
            for (io.berth.engine.runtime.RuntimeState st : runtime.list()) {
                if (boxes.containsKey(st.id())) continue;
                ignore(() -> runtime.delete(st.id(), true));
                cleaned.add("deleted runtime state of " + st.id() + " (" + st.status() + "): no record");
            }
        } catch (RuntimeException e) {
            cleaned.add("listing runtime state failed: " + e.getMessage());
        }
        for (Map.Entry<String, Integer> m : runtime.monitors().entrySet()) {
            if (boxes.containsKey(m.getKey())) continue;
            ProcessHandle.of(m.getValue()).ifPresent(ProcessHandle::destroyForcibly);
            ignore(() -> runtime.forget(m.getKey()));
            cleaned.add("killed conmon " + m.getValue() + " of unknown container " + m.getKey());
        }
        for (Box b : List.copyOf(boxes.values())) {
            synchronized (b) {
                if (b.rec.status() != Status.RUNNING && b.rec.status() != Status.PAUSED) continue;
                if (runtime.exitCode(b.id).isPresent()) continue; // its monitor records it
                if (runtime.check(b.id) instanceof io.berth.engine.runtime.Liveness.Unknown) {
                    exited(b, b.generation, 255, "the runtime no longer knows the container");
                    cleaned.add("recorded container " + b.id + " as exited: its runtime state vanished");
                }
            }
        }
        try {
            for (Path p : Mounter.mountPointsUnder(containersDir)) {
                Path rel = containersDir.relativize(p);
                if (rel.getNameCount() != 2 || !rel.getName(1).toString().equals("rootfs")) continue;
                Box b = boxes.get(rel.getName(0).toString());
                if (b != null) {
                    synchronized (b) {
                        if (b.rec.running() || !Mounter.isMountPoint(p)) continue; // started, or exited and unmounted, meanwhile
                        ignore(() -> unmount(p));
                    }
                } else {
                    ignore(() -> unmount(p));
                }
                cleaned.add("unmounted stale " + p);
            }
        } catch (IOException e) {
            cleaned.add("listing mounts failed: " + e.getMessage());
        }
        synchronized (names) { // with `creating`: ids whose create is between its first write and its record are skipped
            cleaned.addAll(OrphanSweep.sweep(snapshots, SNAPSHOT_PREFIX, mounter, containersDir, runtime, id -> boxes.containsKey(id) || creating.contains(id) || cleaning.contains(id)));
        }
        return new SystemCheckReport(SystemCheck.preflight(runtime.config(), driver), cleaned);
    }

    // ---- cp through the container's mounts (ContainerArchives.CopyView) ----------------------------------

    /**
     * How {@code ref}'s paths resolve for cp (the caller holds the box's lock, from onRootfs): the live
     * mount namespace of a running container; otherwise the mounts it would start with, generated as
     * start generates them (so a created container's binds work before its first start), falling back
     * to the spec it last ran with.
     */
    private ContainerArchives.CopyView copyView(String ref, Path rootfs) {
        Box b = find(ref);
        List<io.berth.spec.runtime.Mount> mounts = null;
        Path last = containersDir.resolve(b.id).resolve("config.json");
        if (!b.rec.running()) {
            try {
                mounts = generator.generate(config(b.rec), rootfs).spec().mounts();
            } catch (RuntimeException e) {
                mounts = null; // e.g. an option this host cannot honour now: use the last spec
            }
        }
        if (mounts == null && Files.exists(last)) {
            try {
                mounts = ContainerStore.JSON.readValue(last.toFile(), Spec.class).mounts();
            } catch (IOException e) {
                mounts = List.of();
            }
        }
        return new ContainerArchives.CopyView(rootfs, b.rec.running() ? b.rec.pid() : 0, mounts);
    }

    // ---- volumes (ContainerVolumes) ---------------------------------------------------------------------

    private final ContainerVolumes volumeMounts = new ContainerVolumes();

    /**
     * The volume service this container service mounts from: opened with it on the same database
     * and root (before re-adoption, since restart policies start containers with their volumes);
     * the engine hands it out as its {@code VolumeEngine}.
     */
    public io.berth.engine.volume.VolumeService volumes() {
        return volumeMounts.service();
    }

    // ---- networking (io.berth.engine.network) ------------------------------------------------------------

    private final java.util.concurrent.CompletableFuture<io.berth.engine.network.ContainerNetworking> networksReady =
            new java.util.concurrent.CompletableFuture<>();
    private volatile io.berth.engine.network.ContainerNetworking networks = io.berth.engine.network.ContainerNetworking.deferred(networksReady);

    /**
     * Hands networking to the service (the engine does this right after {@link #open}) and lets it tear
     * down what containers that no longer run left behind (crash recovery). Starts by restart policies
     * that come earlier wait for this (see {@link io.berth.engine.network.ContainerNetworking#deferred}).
     */
    /**
     * Restarts that begin while the engine is still opening (re-adoption, restart policies) wait here,
     * holding no lock, until networking is wired: waiting inside the box's lock would block open's
     * own system check on that lock, and open must return before networking can be wired.
     */
    private void awaitNetworking() {
        try {
            networksReady.get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // the deferred stand-in decides (NONE after its own wait)
        }
    }

    public void useNetworks(io.berth.engine.network.ContainerNetworking n) {
        Set<String> known = new java.util.HashSet<>(), running = new java.util.HashSet<>();
        for (Box b : boxes.values()) {
            known.add(b.id);
            if (b.rec.running()) running.add(b.id);
        }
        n.recover(known, running);
        this.networks = n;
        networksReady.complete(n);
    }

    private ContainerDetails withNetwork(ContainerDetails d) {
        return new ContainerDetails(d.id(), d.name(), d.created(), d.imageId(), d.image(), d.path(), d.args(), d.state(), d.spec(),
                d.env(), d.workingDir(), d.user(), d.rootfs(), d.logPath(), d.labels(), d.execIds(), d.driver(),
                networks.settings(d.id()), d.mounts());
    }

    private ContainerSummary withNetwork(ContainerSummary c) {
        return new ContainerSummary(c.id(), c.names(), c.image(), c.imageId(), c.command(), c.created(), c.state(), c.status(), c.labels(),
                networks.settings(c.id()), c.mounts());
    }
}
