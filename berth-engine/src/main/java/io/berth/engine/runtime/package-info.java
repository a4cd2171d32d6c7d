/**
 * The OCI runtime driver: runc (or crun/runsc, selected by name from {@link io.berth.engine.runtime.RuntimeConfig})
 * driven through conmon, so each container's parent is conmon, which holds its stdio, writes its log and
 * records its exit code; containers outlive the daemon.
 *
 * <p>Entry points: {@link io.berth.engine.runtime.ConmonRuntime} implements the roles
 * {@link io.berth.engine.runtime.OciRuntime} (lifecycle), {@link io.berth.engine.runtime.ExecRuntime},
 * {@link io.berth.engine.runtime.ContainerIo} (attach, resize) and
 * {@link io.berth.engine.runtime.ContainerMonitor} (exit codes, liveness, re-adoption).
 * {@link io.berth.engine.runtime.K8sFileLog} reads the logs. Every process goes through
 * {@link io.berth.engine.runtime.ProcessRunner}; argv comes from {@link io.berth.engine.runtime.Commands}.
 *
 * <h2>conmon 2.1.6 with runc 1.1.5, as observed on this host (the tests pin each point)</h2>
 * <ul>
 *   <li><b>Sync pipe.</b> With {@code _OCI_SYNCPIPE} conmon writes {@code {"data": PID}} once runc
 *   created the container, or {@code {"data": -1, "message": "<runc stderr>"}} (a logrus line:
 *   {@code level=error msg="runc create failed: unable to start container process: exec: \"/x\": stat /x:
 *   no such file or directory"}). A missing executable fails at create, not at start.</li>
 *   <li><b>Attach socket.</b> {@code socketDir/UUID} is a symlink to the bundle; the SOCK_SEQPACKET
 *   socket is {@code bundle/attach}. Output packets are prefixed by one byte: 2 stdout, 3 stderr (conmon's
 *   stdpipe_t); with a terminal everything is 2. Only output after the connect is sent.</li>
 *   <li><b>Stdin EOF.</b> A client's shutdown(SHUT_WR) (or leaving) makes conmon close the container's
 *   stdin, unless {@code --leave-stdin-open}; output keeps flowing and the socket closes after the
 *   process exited and its output was drained.</li>
 *   <li><b>Resize.</b> Both fifos work: {@code ctl} takes {@code "1 H W\n"} (type 1 resize, 2 reopen
 *   log) and forwards {@code "H W\n"} to {@code winsz}, which conmon reads only once it has the pty.
 *   A resize written before the process has its terminal waits in the fifo and applies then.</li>
 *   <li><b>Exit file.</b> {@code exitDir/ID} holds the decimal status, or 128+N for death by signal N
 *   (SIGKILL: 137). conmon writes it, then lingers up to a second or two (syncing the log) before it
 *   exits. It is not removed by conmon; a re-created container must not find the old one.</li>
 *   <li><b>Exec.</b> {@code -e --exec-process-spec F --exec-attach --sync} with its own {@code -b}
 *   directory (ctl, winsz, attach), log and exit directory (the exit file is named after the
 *   <em>container</em> id, so execs must not share one). Messages on the sync pipe: {@code {"data": 0}}
 *   when the attach socket listens, {@code {"data": PID}} after runc exec, {@code {"data": CODE}} at the
 *   end; conmon reads {@code _OCI_STARTPIPE} once before setting up and once before running the process.</li>
 *   <li>A pid-1 process without a handler ignores SIGTERM (kernel rule); Docker's stop timeout then
 *   escalates to SIGKILL.</li>
 * </ul>
 */
package io.berth.engine.runtime;
