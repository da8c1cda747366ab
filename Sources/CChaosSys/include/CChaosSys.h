#ifndef CCHAOSSYS_H
#define CCHAOSSYS_H

/// CChaosSys: the one C shim of chaos for process control (fork/exec), namespaces and ptrace.
///
/// Everything here is a real function (never a macro) so Swift can call it. Unless said otherwise a function
/// returns what the underlying syscall returns (-1 with errno set on failure).

#include <sys/types.h>

// MARK: - Spawning

/// The step of `cchaos_spawn` that failed in the child, reported to the parent together with the errno.
typedef enum {
    CCHAOS_SPAWN_STAGE_NONE = 0,
    CCHAOS_SPAWN_STAGE_SETPGID = 1,
    CCHAOS_SPAWN_STAGE_PDEATHSIG = 2,
    CCHAOS_SPAWN_STAGE_PARENT_GONE = 3,
    CCHAOS_SPAWN_STAGE_SETNS = 4,
    CCHAOS_SPAWN_STAGE_STDIO = 5,
    CCHAOS_SPAWN_STAGE_CHDIR = 6,
    CCHAOS_SPAWN_STAGE_CLOSE_FDS = 7,
    CCHAOS_SPAWN_STAGE_SIGNALS = 8,
    CCHAOS_SPAWN_STAGE_EXECVE = 9,
    CCHAOS_SPAWN_STAGE_PIPE = 10,
    CCHAOS_SPAWN_STAGE_FORK = 11,
    CCHAOS_SPAWN_STAGE_RLIMIT = 12,
    CCHAOS_SPAWN_STAGE_USERNS = 13,
} cchaos_spawn_stage;

/// Forks and execs one child; returns 0 once `execve` succeeded, else the errno of the failed step.
///
/// Between fork and exec the child only makes async-signal-safe calls, in this order: new process group
/// (if `new_process_group`), `PR_SET_PDEATHSIG(pdeath_signal)` (if > 0) plus a `getppid()` check against the
/// parent that forked it, default signal dispositions and an empty signal mask, `setns(netns_fd, CLONE_NEWNET)`
/// (if `netns_fd >= 0`), stdin from /dev/null, stdout/stderr onto the given fds, `chdir(cwd)` (if non-NULL),
/// RLIMIT_CORE raised to its hard limit (if `core_dumps`), every other fd marked close-on-exec, `execve`. A failure in the child travels back over a CLOEXEC pipe,
/// so the parent learns it synchronously; the failed child is reaped here (per pid, `__WNOTHREAD`).
///
/// Call it from one long-lived thread: PR_SET_PDEATHSIG fires when the *thread* that forked exits.
/// - Parameters:
///   - path: absolute path of the executable.
///   - argv, envp: NULL-terminated arrays.
///   - stage_out: on failure, the `cchaos_spawn_stage` that failed.
///   - pid_out: on success, the child's pid.
int cchaos_spawn(const char *path, char *const argv[], char *const envp[], const char *cwd,
                 int stdout_fd, int stderr_fd, int netns_fd, int pdeath_signal, int new_process_group,
                 int core_dumps, int *stage_out, pid_t *pid_out);

/// Like `cchaos_spawn`, but the child first enters a new user and network namespace in which it is uid/gid 0
/// (mapped onto the caller's uid/gid; setgroups denied), so an unprivileged chaos can build its lab there.
/// The child keeps stdout/stderr and the caller's process group (a terminal's Ctrl-C reaches it directly) and
/// gets PR_SET_PDEATHSIG(SIGKILL). A refused namespace reports
/// `CCHAOS_SPAWN_STAGE_USERNS` with the errno of unshare or of the map write.
int cchaos_spawn_in_user_namespace(const char *path, char *const argv[], char *const envp[], int *stage_out,
                                   pid_t *pid_out);

/// Tries for real what `cchaos_spawn_in_user_namespace` needs, in a throw-away child: 0 when a user + network
/// namespace could be made and mapped, else the errno.
int cchaos_try_user_namespace(void);

/// Waits for child `pid` (as `cchaos_waitid_pid` with WEXITED) while forwarding SIGINT, SIGTERM and SIGHUP
/// sent to the caller by a process (not those from the terminal, which the child gets itself); the previous
/// signal dispositions are restored before returning.
int cchaos_wait_forwarding_signals(pid_t pid, int *code, int *status);

// MARK: - Waiting

/// `waitid(P_PID, pid, …, options)` decoded: on success `*code` is the siginfo `si_code` (CLD_EXITED,
/// CLD_KILLED, CLD_DUMPED, …, or 0 when WNOHANG found nothing) and `*status` its `si_status`.
int cchaos_waitid_pid(pid_t pid, int options, int *code, int *status);

/// Wait option: only children of the calling thread (never another thread's children or tracees).
int cchaos_wnothread(void);
/// Wait option: wait for all children, clone or not (what a ptrace tracer needs for threads).
int cchaos_wall(void);
int cchaos_cld_exited(void);
int cchaos_cld_killed(void);
int cchaos_cld_dumped(void);

/// A file descriptor that becomes readable when process `pid` has exited (Linux 5.3+).
int cchaos_pidfd_open(pid_t pid, unsigned int flags);
/// Sends `signal` to the process behind `pidfd`; cannot hit a recycled pid.
int cchaos_pidfd_send_signal(int pidfd, int signal);

// MARK: - Signals and threads

/// Sends `signal` to thread `tid` of process `tgid`.
int cchaos_tgkill(pid_t tgid, pid_t tid, int signal);
/// The calling thread's kernel thread id.
pid_t cchaos_gettid(void);
/// Asks the kernel to send `signal` to the calling process when its parent thread dies (PR_SET_PDEATHSIG).
int cchaos_set_parent_death_signal(int signal);
/// Names the calling thread (at most 15 bytes are kept), as seen in /proc/PID/task/TID/comm.
int cchaos_set_thread_name(const char *name);
/// A non-blocking, close-on-exec eventfd with counter 0 (wakes a poll loop).
int cchaos_eventfd(void);
/// The errno's symbolic name ("ENOENT"), or "E?" when unknown.
const char *cchaos_errno_name(int err);

// MARK: - Namespaces

/// Moves the calling thread into the namespace behind `fd` (`nstype` 0 = any, or a CLONE_NEW* flag).
int cchaos_setns(int fd, int nstype);
/// Moves the calling thread into new namespaces (`flags`: CLONE_NEW* bits).
int cchaos_unshare(int flags);
int cchaos_clone_newnet(void);
int cchaos_clone_newuser(void);
int cchaos_clone_newns(void);
int cchaos_clone_newpid(void);

// MARK: - ptrace (call all of them from the one thread that attached)

/// PTRACE_SEIZE `tid` with `options` (PTRACE_O_*), without stopping it.
long cchaos_ptrace_seize(pid_t tid, unsigned long options);
/// PTRACE_INTERRUPT: stop a seized `tid` (a group-stop/event-stop follows; collect it with waitid/__WALL).
long cchaos_ptrace_interrupt(pid_t tid);
/// PTRACE_CONT a stopped `tid`, delivering `signal` (0 = none).
long cchaos_ptrace_cont(pid_t tid, int signal);
/// PTRACE_DETACH a stopped `tid`, delivering `signal` (0 = none); the thread runs on.
long cchaos_ptrace_detach(pid_t tid, int signal);

/// The step of `cchaos_ptrace_probe` that failed.
typedef enum {
    CCHAOS_PTRACE_PROBE_NONE = 0,
    CCHAOS_PTRACE_PROBE_FORK = 1,
    CCHAOS_PTRACE_PROBE_SEIZE = 2,
    CCHAOS_PTRACE_PROBE_INTERRUPT = 3,
    CCHAOS_PTRACE_PROBE_STOP = 4,
    CCHAOS_PTRACE_PROBE_DETACH = 5,
} cchaos_ptrace_probe_stage;

/// Tries what a thread freeze does, for real, on a throw-away child that only waits for signals: PTRACE_SEIZE,
/// PTRACE_INTERRUPT, the tracing stop (within 2 s), PTRACE_DETACH; then kills and reaps the child (per pid).
/// Returns 0 when every step worked, else the errno of the failed step, named in `*stage_out`.
int cchaos_ptrace_probe(int *stage_out);


// MARK: - Code breakpoints (the `jitter` fault's `stop_at`; call from the one tracer thread that attached)

/// The trap instruction a breakpoint writes over the first bytes of a function: its bytes into `out` (room for
/// 4), its length returned; 0 on an architecture chaos has no breakpoints for (only x86_64 and aarch64).
int cchaos_bp_trap(unsigned char *out);
/// How far past the breakpoint's address the program counter stands when a thread stops on it: 1 on x86_64
/// (`int3` has executed), 0 on aarch64 (`brk` faults in place).
int cchaos_bp_pc_offset(void);
/// The program counter of the stopped tracee `tid`.
long cchaos_ptrace_get_pc(pid_t tid, unsigned long long *pc);
long cchaos_ptrace_set_pc(pid_t tid, unsigned long long pc);
/// PTRACE_SINGLESTEP a stopped `tid`, delivering `signal` (0 = none).
long cchaos_ptrace_singlestep(pid_t tid, int signal);
/// PTRACE_LISTEN: a tracee in group-stop stays stopped, but a SIGCONT (or SIGKILL) is noticed.
long cchaos_ptrace_listen(pid_t tid);
/// The `si_code` of the signal `tid` is stopped with (into `*code`).
long cchaos_ptrace_sigcode(pid_t tid, int *code);
/// The seize options of a breakpoint session: threads the tracees start are traced too (PTRACE_O_TRACECLONE),
/// and an exec is reported as an event rather than as a SIGTRAP (PTRACE_O_TRACEEXEC).
unsigned long cchaos_ptrace_trace_threads(void);
/// `si_code` values of a trap that a breakpoint raised (SI_KERNEL for int3, TRAP_BRKPT for brk), not a
/// SIGTRAP some thread sent.
int cchaos_is_breakpoint_code(int code);

/// What one wait status of a tracee says.
typedef enum {
    /// The thread ended (exited or was killed).
    CCHAOS_TRACE_EXITED = 0,
    /// Signal-delivery stop: the thread is about to receive `*sig` (SIGTRAP for a breakpoint).
    CCHAOS_TRACE_SIGNAL = 1,
    /// Group-stop (SIGSTOP and kin, `*sig`): keep it stopped with PTRACE_LISTEN.
    CCHAOS_TRACE_GROUP_STOP = 2,
    /// PTRACE_EVENT_STOP that is no group-stop: a PTRACE_INTERRUPT, or a new thread's first stop.
    CCHAOS_TRACE_EVENT_STOP = 3,
    /// PTRACE_EVENT_CLONE: the thread started another (which is traced too).
    CCHAOS_TRACE_CLONE = 4,
    /// PTRACE_EVENT_EXEC: the process replaced its image; its breakpoints are gone.
    CCHAOS_TRACE_EXEC = 5,
    /// Any other ptrace event (continue it).
    CCHAOS_TRACE_OTHER = 6,
} cchaos_trace_event;

/// Waits for the next event of the calling thread's tracees (`pid` -1) or of one of them, without blocking
/// unless `block`. Returns the thread id (0 when nothing happened yet, -1 with errno set: ECHILD when there
/// is no tracee), its event in `*kind` and the signal in `*sig` (for CCHAOS_TRACE_EXITED: the killing signal,
/// or 0 with the exit code in `*code`; `*core` when a core was dumped).
pid_t cchaos_trace_wait(pid_t pid, int block, int *kind, int *sig, int *code, int *core);

/// How many hardware breakpoints one thread can have (x86_64: the debug registers DR0–DR3), 0 where chaos sets
/// none (aarch64 and others keep to trap instructions).
int cchaos_hwbp_slots(void);
/// Arms hardware breakpoints on instruction `addresses[0..<count]` in the stopped tracee `tid` only (count 0
/// disarms them all). A thread reaching one stops with SIGTRAP (`si_code` TRAP_HWBKPT) before the instruction
/// runs, and runs it when continued (the kernel sets the resume flag).
long cchaos_hwbp_set(pid_t tid, const unsigned long long *addresses, int count);
/// Whether `code` is the `si_code` of a hardware breakpoint's SIGTRAP.
int cchaos_is_hwbp_code(int code);

/// Sets the calling thread's timer slack (PR_SET_TIMERSLACK): how late the kernel may wake it from a sleep.
int cchaos_set_timer_slack(unsigned long nanoseconds);

/// The demangled form of a C++ symbol (`__cxa_demangle`, looked up at run time), or NULL. Free it with free().
char *cchaos_cxx_demangle(const char *name);

// Scheduling of single threads (the `jitter` fault). Each returns 0 or -1 with errno set.
/// The CPUs `tid` may run on, as a bitmap of `bytes` bytes (bit n = CPU n).
int cchaos_get_affinity(pid_t tid, unsigned char *mask, int bytes);
int cchaos_set_affinity(pid_t tid, const unsigned char *mask, int bytes);
/// Confines `tid` (0 = the calling thread) to one CPU.
int cchaos_set_affinity_one(pid_t tid, int cpu);
/// The policy (SCHED_OTHER, SCHED_IDLE, ...) and static priority of `tid`.
int cchaos_get_scheduler(pid_t tid, int *policy, int *priority);
int cchaos_set_scheduler(pid_t tid, int policy, int priority);
int cchaos_sched_idle(void);
int cchaos_sched_other(void);
/// The nice value of one thread (PRIO_PROCESS on a TID is per thread on Linux).
int cchaos_get_nice(pid_t tid, int *nice);
int cchaos_set_nice(pid_t tid, int nice);
/// The number of CPUs this process may run on.
int cchaos_cpu_count(void);

#endif
