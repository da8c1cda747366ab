#define _GNU_SOURCE
#include "CChaosSys.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/// What a failed child writes into the report pipe before `_exit(127)`.
struct spawn_report {
    int stage;
    int err;
};

/// Writes the report and leaves; only async-signal-safe calls (this runs in the forked child).
static void child_fail(int pipe_fd, int stage) {
    struct spawn_report report = { stage, errno };
    ssize_t written;
    do {
        written = write(pipe_fd, &report, sizeof report);
    } while (written < 0 && errno == EINTR);
    _exit(127);
}

/// Marks every fd >= 3 close-on-exec; the report pipe already is, and must stay open until execve.
static int child_cloexec_all(void) {
#ifdef SYS_close_range
    if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0) {
        return 0;
    }
#endif
    // Kernels before 5.11: walk the fd table up to the limit (capped so a huge RLIMIT_NOFILE stays fast).
    struct rlimit limit;
    long max_fd = 65536;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && (long)limit.rlim_cur < max_fd) {
        max_fd = (long)limit.rlim_cur;
    }
    for (int fd = 3; fd < max_fd; fd++) {
        int flags = fcntl(fd, F_GETFD);
        if (flags >= 0 && !(flags & FD_CLOEXEC)) {
            (void)fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
        }
    }
    return 0;
}

/// Moves `fd` above the standard descriptors so that dup2 onto 0/1/2 cannot clobber it.
static int child_lift(int fd) {
    if (fd >= 0 && fd < 3) {
        return fcntl(fd, F_DUPFD_CLOEXEC, 3);
    }
    return fd;
}

static void child_run(const char *path, char *const argv[], char *const envp[], const char *cwd,
                      int stdout_fd, int stderr_fd, int netns_fd, int pdeath_signal, int new_process_group,
                      int core_dumps, pid_t parent, int pipe_fd) {
    if (new_process_group && setpgid(0, 0) != 0) {
        child_fail(pipe_fd, CCHAOS_SPAWN_STAGE_SETPGID);
    }
    if (pdeath_signal > 0) {
        if (prctl(PR_SET_PDEATHSIG, pdeath_signal, 0, 0, 0) != 0) {
            child_fail(pipe_fd, CCHAOS_SPAWN_STAGE_PDEATHSIG);
        }
        // The parent may have died between fork and prctl; then nobody would ever send the signal.
        if (getppid() != parent) {
            errno = ESRCH;
            child_fail(pipe_fd, CCHAOS_SPAWN_STAGE_PARENT_GONE);
        }
    }
    // Ignored signals and the signal mask survive execve; a node must start from the defaults.
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) {
            (void)sigaction(sig, &dfl, NULL); // glibc-reserved signals answer EINVAL: nothing to reset there
        }
    }
    sigset_t empty;
    sigemptyset(&empty);
    if (sigprocmask(SIG_SETMASK, &empty, NULL) != 0) {
        child_fail(pipe_fd, CCHAOS_SPAWN_STAGE_SIGNALS);
    }
    if (netns_fd >= 0 && setns(netns_fd, CLONE_NEWNET) != 0) {
        child_fail(pipe_fd, CCHAOS_SPAWN_STAGE_SETNS);
    }
    stdout_fd = child_lift(stdout_fd);
    stderr_fd = child_lift(stderr_fd);
    if (stdout_fd < 0 || stderr_fd < 0) {
        child_fail(pipe_fd, CCHAOS_SPAWN_STAGE_STDIO);
    }
    int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(stdout_fd, 1) < 0 || dup2(stderr_fd, 2) < 0) {
        child_fail(pipe_fd, CCHAOS_SPAWN_STAGE_STDIO);
    }
    if (cwd != NULL && chdir(cwd) != 0) {
        child_fail(pipe_fd, CCHAOS_SPAWN_STAGE_CHDIR);
    }
    if (core_dumps) {
        // As far as the hard limit allows: a crash then leaves a core where kernel.core_pattern says.
        struct rlimit core;
        if (getrlimit(RLIMIT_CORE, &core) != 0) {
            child_fail(pipe_fd, CCHAOS_SPAWN_STAGE_RLIMIT);
        }
        core.rlim_cur = core.rlim_max;
        if (setrlimit(RLIMIT_CORE, &core) != 0) {
            child_fail(pipe_fd, CCHAOS_SPAWN_STAGE_RLIMIT);
        }
    }
    if (child_cloexec_all() != 0) {
        child_fail(pipe_fd, CCHAOS_SPAWN_STAGE_CLOSE_FDS);
    }
    execve(path, argv, envp);
    child_fail(pipe_fd, CCHAOS_SPAWN_STAGE_EXECVE);
}

/// Writes all of `text` to the file at `path` (async-signal-safe: open/write/close only); 0 or -1 with errno.
static int child_write_file(const char *path, const char *text, size_t length) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    ssize_t written;
    do {
        written = write(fd, text, length);
    } while (written < 0 && errno == EINTR);
    int saved = errno;
    close(fd);
    errno = saved;
    return written == (ssize_t)length ? 0 : -1;
}

/// "0 <id> 1\n" into `buffer` (no snprintf: this runs between fork and exec); returns the length.
static size_t child_format_map(char *buffer, unsigned id) {
    char digits[16];
    size_t count = 0;
    do {
        digits[count++] = (char)('0' + id % 10);
        id /= 10;
    } while (id > 0);
    size_t length = 0;
    buffer[length++] = '0';
    buffer[length++] = ' ';
    while (count > 0) {
        buffer[length++] = digits[--count];
    }
    buffer[length++] = ' ';
    buffer[length++] = '1';
    buffer[length++] = '\n';
    return length;
}

/// Moves the calling (forked, single-threaded) process into a new user and network namespace where it is
/// uid/gid 0, mapped onto the caller's own uid/gid: the one mapping an unprivileged process may write itself.
static int child_enter_userns(void) {
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0) {
        return -1;
    }
    char map[40];
    if (child_write_file("/proc/self/setgroups", "deny", 4) != 0 && errno != ENOENT) {
        return -1;
    }
    if (child_write_file("/proc/self/uid_map", map, child_format_map(map, (unsigned)uid)) != 0) {
        return -1;
    }
    return child_write_file("/proc/self/gid_map", map, child_format_map(map, (unsigned)gid));
}

static int spawn(const char *path, char *const argv[], char *const envp[], const char *cwd,
                 int stdout_fd, int stderr_fd, int netns_fd, int pdeath_signal, int new_process_group,
                 int core_dumps, int user_namespace, int *stage_out, pid_t *pid_out);

int cchaos_spawn(const char *path, char *const argv[], char *const envp[], const char *cwd,
                 int stdout_fd, int stderr_fd, int netns_fd, int pdeath_signal, int new_process_group,
                 int core_dumps, int *stage_out, pid_t *pid_out) {
    return spawn(path, argv, envp, cwd, stdout_fd, stderr_fd, netns_fd, pdeath_signal, new_process_group,
                 core_dumps, 0, stage_out, pid_out);
}

int cchaos_spawn_in_user_namespace(const char *path, char *const argv[], char *const envp[], int *stage_out,
                                   pid_t *pid_out) {
    return spawn(path, argv, envp, NULL, 1, 2, -1, SIGKILL, 0, 0, 1, stage_out, pid_out);
}

int cchaos_try_user_namespace(void) {
    char *const argv[] = { "true", NULL };
    char *const envp[] = { NULL };
    int stage = 0;
    pid_t pid = 0;
    // The child enters the namespace, then fails its execve on purpose: only the namespace step matters.
    int err = spawn("/nonexistent/chaos-userns-probe", argv, envp, NULL, 1, 2, -1, 0, 0, 0, 1, &stage, &pid);
    if (stage == CCHAOS_SPAWN_STAGE_EXECVE) {
        return 0;
    }
    return err != 0 ? err : EINVAL;
}

static pid_t forwarded_child = 0;

/// Passes a signal on to the child, except one the terminal sent (Ctrl-C: SI_KERNEL), which the child, in
/// the same foreground process group, has received itself; a second copy would make it quit without cleanup.
static void forward_signal(int sig, siginfo_t *info, void *context) {
    (void)context;
    int saved = errno;
    if (forwarded_child > 0 && info->si_code != SI_KERNEL) {
        (void)kill(forwarded_child, sig);
    }
    errno = saved;
}

int cchaos_wait_forwarding_signals(pid_t pid, int *code, int *status) {
    struct sigaction forward, previous[3];
    memset(&forward, 0, sizeof forward);
    forward.sa_sigaction = forward_signal;
    forward.sa_flags = SA_RESTART | SA_SIGINFO;
    sigemptyset(&forward.sa_mask);
    const int signals[3] = { SIGINT, SIGTERM, SIGHUP };
    forwarded_child = pid;
    for (int i = 0; i < 3; i++) {
        (void)sigaction(signals[i], &forward, &previous[i]);
    }
    int result = cchaos_waitid_pid(pid, WEXITED | __WNOTHREAD, code, status);
    while (result != 0 && errno == EINTR) {
        result = cchaos_waitid_pid(pid, WEXITED | __WNOTHREAD, code, status);
    }
    int saved = errno;
    for (int i = 0; i < 3; i++) {
        (void)sigaction(signals[i], &previous[i], NULL);
    }
    forwarded_child = 0;
    errno = saved;
    return result;
}

static int spawn(const char *path, char *const argv[], char *const envp[], const char *cwd,
                 int stdout_fd, int stderr_fd, int netns_fd, int pdeath_signal, int new_process_group,
                 int core_dumps, int user_namespace, int *stage_out, pid_t *pid_out) {
    int report_pipe[2];
    if (pipe2(report_pipe, O_CLOEXEC) != 0) {
        *stage_out = CCHAOS_SPAWN_STAGE_PIPE;
        return errno;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        int err = errno;
        close(report_pipe[0]);
        close(report_pipe[1]);
        *stage_out = CCHAOS_SPAWN_STAGE_FORK;
        return err;
    }
    if (pid == 0) {
        close(report_pipe[0]);
        if (user_namespace && child_enter_userns() != 0) {
            child_fail(report_pipe[1], CCHAOS_SPAWN_STAGE_USERNS);
        }
        child_run(path, argv, envp, cwd, stdout_fd, stderr_fd, netns_fd, pdeath_signal, new_process_group,
                  core_dumps, parent, report_pipe[1]);
        _exit(127); // not reached
    }
    close(report_pipe[1]);
    struct spawn_report report;
    size_t got = 0;
    while (got < sizeof report) {
        ssize_t n = read(report_pipe[0], (char *)&report + got, sizeof report - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        got += (size_t)n;
    }
    close(report_pipe[0]);
    if (got == 0) { // EOF: the pipe closed on a successful execve
        *stage_out = CCHAOS_SPAWN_STAGE_NONE;
        *pid_out = pid;
        return 0;
    }
    // The child failed before exec and has _exit'ed (or is about to): reap it, this one pid only.
    siginfo_t info;
    while (waitid(P_PID, (id_t)pid, &info, WEXITED | __WNOTHREAD) != 0 && errno == EINTR) {
    }
    if (got < sizeof report) {
        *stage_out = CCHAOS_SPAWN_STAGE_PIPE;
        return EPIPE;
    }
    *stage_out = report.stage;
    return report.err != 0 ? report.err : ECHILD;
}

int cchaos_waitid_pid(pid_t pid, int options, int *code, int *status) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    if (waitid(P_PID, (id_t)pid, &info, options) != 0) {
        return -1;
    }
    if (info.si_pid == 0) { // WNOHANG and nothing to report yet
        *code = 0;
        *status = 0;
        return 0;
    }
    *code = info.si_code;
    *status = info.si_status;
    return 0;
}

int cchaos_wnothread(void) { return __WNOTHREAD; }
int cchaos_wall(void) { return __WALL; }
int cchaos_cld_exited(void) { return CLD_EXITED; }
int cchaos_cld_killed(void) { return CLD_KILLED; }
int cchaos_cld_dumped(void) { return CLD_DUMPED; }

int cchaos_pidfd_open(pid_t pid, unsigned int flags) {
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, flags);
#else
    errno = ENOSYS;
    return -1;
#endif
}

int cchaos_pidfd_send_signal(int pidfd, int signal) {
#ifdef SYS_pidfd_send_signal
    return (int)syscall(SYS_pidfd_send_signal, pidfd, signal, NULL, 0);
#else
    errno = ENOSYS;
    return -1;
#endif
}

int cchaos_tgkill(pid_t tgid, pid_t tid, int signal) {
    return (int)syscall(SYS_tgkill, tgid, tid, signal);
}

pid_t cchaos_gettid(void) {
    return (pid_t)syscall(SYS_gettid);
}

int cchaos_set_parent_death_signal(int signal) {
    return prctl(PR_SET_PDEATHSIG, signal, 0, 0, 0);
}

int cchaos_set_thread_name(const char *name) {
    char truncated[16];
    strncpy(truncated, name, sizeof truncated - 1);
    truncated[sizeof truncated - 1] = '\0';
    return pthread_setname_np(pthread_self(), truncated);
}

int cchaos_eventfd(void) {
    return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

const char *cchaos_errno_name(int err) {
    const char *name = strerrorname_np(err);
    return name != NULL ? name : "E?";
}

int cchaos_setns(int fd, int nstype) { return setns(fd, nstype); }
int cchaos_unshare(int flags) { return unshare(flags); }
int cchaos_clone_newnet(void) { return CLONE_NEWNET; }
int cchaos_clone_newuser(void) { return CLONE_NEWUSER; }
int cchaos_clone_newns(void) { return CLONE_NEWNS; }
int cchaos_clone_newpid(void) { return CLONE_NEWPID; }

long cchaos_ptrace_seize(pid_t tid, unsigned long options) {
    return ptrace(PTRACE_SEIZE, tid, NULL, (void *)options);
}

long cchaos_ptrace_interrupt(pid_t tid) {
    return ptrace(PTRACE_INTERRUPT, tid, NULL, NULL);
}

long cchaos_ptrace_cont(pid_t tid, int signal) {
    return ptrace(PTRACE_CONT, tid, NULL, (void *)(long)signal);
}

long cchaos_ptrace_detach(pid_t tid, int signal) {
    return ptrace(PTRACE_DETACH, tid, NULL, (void *)(long)signal);
}

int cchaos_ptrace_probe(int *stage_out) {
    *stage_out = CCHAOS_PTRACE_PROBE_NONE;
    pid_t child = fork();
    if (child < 0) {
        *stage_out = CCHAOS_PTRACE_PROBE_FORK;
        return errno;
    }
    if (child == 0) {
        // Only async-signal-safe calls here: the parent is multithreaded.
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        for (;;) {
            pause();
        }
    }
    int err = 0;
    if (ptrace(PTRACE_SEIZE, child, NULL, NULL) != 0) {
        err = errno;
        *stage_out = CCHAOS_PTRACE_PROBE_SEIZE;
    } else if (ptrace(PTRACE_INTERRUPT, child, NULL, NULL) != 0) {
        err = errno;
        *stage_out = CCHAOS_PTRACE_PROBE_INTERRUPT;
    } else {
        int stopped = 0;
        int wait_err = ETIMEDOUT;
        for (int waited = 0; waited < 20000 && !stopped; waited++) { // 2 s in steps of 100 us
            siginfo_t info;
            memset(&info, 0, sizeof info);
            if (waitid(P_PID, (id_t)child, &info, WSTOPPED | WNOHANG | __WALL | __WNOTHREAD) != 0) {
                if (errno == EINTR) {
                    continue;
                }
                wait_err = errno;
                break;
            }
            stopped = info.si_pid == child && (info.si_code == CLD_TRAPPED || info.si_code == CLD_STOPPED);
            if (!stopped) {
                usleep(100);
            }
        }
        if (!stopped) {
            err = wait_err;
            *stage_out = CCHAOS_PTRACE_PROBE_STOP;
        } else if (ptrace(PTRACE_DETACH, child, NULL, NULL) != 0) {
            err = errno;
            *stage_out = CCHAOS_PTRACE_PROBE_DETACH;
        }
    }
    (void)kill(child, SIGKILL);
    siginfo_t done;
    while (waitid(P_PID, (id_t)child, &done, WEXITED | __WALL | __WNOTHREAD) != 0 && errno == EINTR) {
    }
    return err;
}

int cchaos_get_affinity(pid_t tid, unsigned char *mask, int bytes) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(tid, sizeof(set), &set) != 0) return -1;
    memset(mask, 0, (size_t)bytes);
    for (int cpu = 0; cpu < bytes * 8 && cpu < CPU_SETSIZE; cpu++) {
        if (CPU_ISSET(cpu, &set)) mask[cpu / 8] |= (unsigned char)(1u << (cpu % 8));
    }
    return 0;
}

int cchaos_set_affinity(pid_t tid, const unsigned char *mask, int bytes) {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int cpu = 0; cpu < bytes * 8 && cpu < CPU_SETSIZE; cpu++) {
        if (mask[cpu / 8] & (1u << (cpu % 8))) CPU_SET(cpu, &set);
    }
    return sched_setaffinity(tid, sizeof(set), &set);
}

int cchaos_set_affinity_one(pid_t tid, int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(tid, sizeof(set), &set);
}

int cchaos_get_scheduler(pid_t tid, int *policy, int *priority) {
    struct sched_param param;
    int p = sched_getscheduler(tid);
    if (p < 0 || sched_getparam(tid, &param) != 0) return -1;
    *policy = p & ~SCHED_RESET_ON_FORK;
    *priority = param.sched_priority;
    return 0;
}

int cchaos_set_scheduler(pid_t tid, int policy, int priority) {
    struct sched_param param = { .sched_priority = priority };
    return sched_setscheduler(tid, policy, &param);
}

int cchaos_sched_idle(void) { return SCHED_IDLE; }
int cchaos_sched_other(void) { return SCHED_OTHER; }

int cchaos_get_nice(pid_t tid, int *nice) {
    errno = 0;
    int value = getpriority(PRIO_PROCESS, (id_t)tid);
    if (value == -1 && errno != 0) return -1;
    *nice = value;
    return 0;
}

int cchaos_set_nice(pid_t tid, int nice) { return setpriority(PRIO_PROCESS, (id_t)tid, nice); }

int cchaos_cpu_count(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return 1;
    return CPU_COUNT(&set);
}
