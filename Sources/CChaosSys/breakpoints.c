// Code breakpoints for the `jitter` fault's `stop_at`: the architecture-specific parts (the trap instruction,
// the program counter) and the decoding of a tracee's wait status. The session itself is Swift
// (ChaosNemesis/Thread/CodeStops.swift).
#define _GNU_SOURCE
#include "CChaosSys.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>

int cchaos_bp_trap(unsigned char *out) {
#if defined(__x86_64__)
    out[0] = 0xCC;  // int3
    return 1;
#elif defined(__aarch64__)
    // brk #0, little-endian
    out[0] = 0x00; out[1] = 0x00; out[2] = 0x20; out[3] = 0xD4;
    return 4;
#else
    (void)out;
    return 0;
#endif
}

int cchaos_bp_pc_offset(void) {
#if defined(__x86_64__)
    return 1;
#else
    return 0;
#endif
}

long cchaos_ptrace_get_pc(pid_t tid, unsigned long long *pc) {
#if defined(__x86_64__)
    struct user_regs_struct regs;
    long result = ptrace(PTRACE_GETREGS, tid, NULL, &regs);
    if (result == 0) *pc = regs.rip;
    return result;
#elif defined(__aarch64__)
    struct user_regs_struct regs;
    struct iovec io = { &regs, sizeof regs };
    long result = ptrace(PTRACE_GETREGSET, tid, (void *)NT_PRSTATUS, &io);
    if (result == 0) *pc = regs.pc;
    return result;
#else
    (void)tid; (void)pc;
    errno = ENOSYS;
    return -1;
#endif
}

long cchaos_ptrace_set_pc(pid_t tid, unsigned long long pc) {
#if defined(__x86_64__)
    struct user_regs_struct regs;
    if (ptrace(PTRACE_GETREGS, tid, NULL, &regs) != 0) return -1;
    regs.rip = pc;
    return ptrace(PTRACE_SETREGS, tid, NULL, &regs);
#elif defined(__aarch64__)
    struct user_regs_struct regs;
    struct iovec io = { &regs, sizeof regs };
    if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_PRSTATUS, &io) != 0) return -1;
    regs.pc = pc;
    return ptrace(PTRACE_SETREGSET, tid, (void *)NT_PRSTATUS, &io);
#else
    (void)tid; (void)pc;
    errno = ENOSYS;
    return -1;
#endif
}

long cchaos_ptrace_singlestep(pid_t tid, int signal) {
    return ptrace(PTRACE_SINGLESTEP, tid, NULL, (void *)(long)signal);
}

long cchaos_ptrace_listen(pid_t tid) {
    return ptrace(PTRACE_LISTEN, tid, NULL, NULL);
}

long cchaos_ptrace_sigcode(pid_t tid, int *code) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    long result = ptrace(PTRACE_GETSIGINFO, tid, NULL, &info);
    if (result == 0) *code = info.si_code;
    return result;
}

unsigned long cchaos_ptrace_trace_threads(void) {
    return PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC;
}

int cchaos_is_breakpoint_code(int code) {
#if defined(__x86_64__)
    return code == SI_KERNEL;  // int3 raises SIGTRAP with SI_KERNEL
#else
    return code == TRAP_BRKPT;
#endif
}

pid_t cchaos_trace_wait(pid_t pid, int block, int *kind, int *sig, int *code, int *core) {
    int status = 0;
    pid_t tid;
    do {
        tid = waitpid(pid, &status, __WALL | __WNOTHREAD | (block ? 0 : WNOHANG));
    } while (tid < 0 && errno == EINTR);
    *kind = CCHAOS_TRACE_OTHER;
    *sig = 0;
    *code = 0;
    *core = 0;
    if (tid <= 0) return tid;
    if (WIFEXITED(status)) {
        *kind = CCHAOS_TRACE_EXITED;
        *code = WEXITSTATUS(status);
        return tid;
    }
    if (WIFSIGNALED(status)) {
        *kind = CCHAOS_TRACE_EXITED;
        *sig = WTERMSIG(status);
        *core = WCOREDUMP(status) ? 1 : 0;
        return tid;
    }
    if (!WIFSTOPPED(status)) return tid;
    int event = (unsigned)status >> 16;
    *sig = WSTOPSIG(status);
    switch (event) {
    case 0:
        *kind = CCHAOS_TRACE_SIGNAL;
        break;
    case PTRACE_EVENT_STOP:
        *kind = (*sig == SIGSTOP || *sig == SIGTSTP || *sig == SIGTTIN || *sig == SIGTTOU)
            ? CCHAOS_TRACE_GROUP_STOP : CCHAOS_TRACE_EVENT_STOP;
        break;
    case PTRACE_EVENT_CLONE:
        *kind = CCHAOS_TRACE_CLONE;
        break;
    case PTRACE_EVENT_EXEC:
        *kind = CCHAOS_TRACE_EXEC;
        break;
    default:
        *kind = CCHAOS_TRACE_OTHER;
        break;
    }
    return tid;
}

int cchaos_hwbp_slots(void) {
#if defined(__x86_64__)
    return 4;
#else
    return 0;
#endif
}

long cchaos_hwbp_set(pid_t tid, const unsigned long long *addresses, int count) {
#if defined(__x86_64__)
    // DR7: local enable bit 2n for DRn; its R/W (bits 16+4n) and LEN (18+4n) stay 00: break on execution.
    unsigned long dr7 = 0;
    if (ptrace(PTRACE_POKEUSER, tid, (void *)offsetof(struct user, u_debugreg[7]), (void *)0) != 0) return -1;
    for (int i = 0; i < count && i < 4; i++) {
        if (ptrace(PTRACE_POKEUSER, tid, (void *)offsetof(struct user, u_debugreg[i]),
                   (void *)(unsigned long)addresses[i]) != 0) return -1;
        dr7 |= 1UL << (2 * i);
    }
    return count == 0 ? 0 : ptrace(PTRACE_POKEUSER, tid, (void *)offsetof(struct user, u_debugreg[7]), (void *)dr7);
#else
    (void)tid; (void)addresses; (void)count;
    errno = ENOSYS;
    return -1;
#endif
}

int cchaos_is_hwbp_code(int code) {
    return code == TRAP_HWBKPT;
}

int cchaos_set_timer_slack(unsigned long nanoseconds) {
    return prctl(PR_SET_TIMERSLACK, nanoseconds, 0, 0, 0);
}

typedef char *(*demangle_fn)(const char *, char *, size_t *, int *);
static demangle_fn demangler = NULL;
static pthread_once_t demangler_once = PTHREAD_ONCE_INIT;

/// libstdc++'s demangler when the process has it loaded (chaos does not link it on purpose).
static void find_demangler(void) {
    demangler = (demangle_fn)dlsym(RTLD_DEFAULT, "__cxa_demangle");
}

char *cchaos_cxx_demangle(const char *name) {
    pthread_once(&demangler_once, find_demangler);
    if (demangler == NULL) return NULL;
    int status = 0;
    char *out = demangler(name, NULL, NULL, &status);
    if (status != 0) {
        free(out);
        return NULL;
    }
    return out;
}
