// Injected errors and latency of the durability layer, decided per operation.
#include "cfs_internal.h"
#include <errno.h>
#include <time.h>
#include <unistd.h>

static uint64_t next_random(struct cfs *fs) {
    // xorshift64*: seeded by the run, so delays repeat with the seed (up to thread interleaving)
    fs->rng ^= fs->rng >> 12;
    fs->rng ^= fs->rng << 25;
    fs->rng ^= fs->rng >> 27;
    return fs->rng * 2685821657736338717ULL;
}

/// Sleeps the operation's injected delay, then returns the errno it must fail with, or 0.
int cfs_fault(struct cfs *fs, int op, const char *path) {
    uint64_t delay = 0;
    int error = 0;
    pthread_mutex_lock(&fs->fault_lock);
    if (fs->lat_ops & op) {
        int64_t d = (int64_t)fs->lat_mean;
        if (fs->lat_jitter > 0)
            d += (int64_t)(next_random(fs) % (2 * fs->lat_jitter + 1)) - (int64_t)fs->lat_jitter;
        delay = d > 0 ? (uint64_t)d : 0;
    }
    if (fs->err_errno && (fs->err_ops & op))
        if (!fs->err_has_re || (path && regexec(&fs->err_re, path, 0, NULL, 0) == 0)) error = fs->err_errno;
    pthread_mutex_unlock(&fs->fault_lock);
    if (delay > 0) {
        struct timespec ts = { .tv_sec = (time_t)(delay / 1000000000ULL), .tv_nsec = (long)(delay % 1000000000ULL) };
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
    }
    if (delay > 0 || error) {
        pthread_mutex_lock(&fs->lock);
        if (delay > 0) fs->stats.delays_injected++;
        if (error) fs->stats.errors_injected++;
        pthread_mutex_unlock(&fs->lock);
    }
    return error;
}

int cfs_set_error(cfs_t *fs, int error, int ops, const char *path_regex) {
    regex_t re;
    if (error && path_regex && regcomp(&re, path_regex, REG_EXTENDED | REG_NOSUB) != 0) return EINVAL;
    pthread_mutex_lock(&fs->fault_lock);
    if (fs->err_has_re) regfree(&fs->err_re);
    fs->err_has_re = error && path_regex;
    if (fs->err_has_re) fs->err_re = re;
    fs->err_errno = error;
    fs->err_ops = ops;
    pthread_mutex_unlock(&fs->fault_lock);
    return 0;
}

void cfs_set_latency(cfs_t *fs, int ops, uint64_t mean_ns, uint64_t jitter_ns) {
    pthread_mutex_lock(&fs->fault_lock);
    fs->lat_ops = ops;
    fs->lat_mean = mean_ns;
    fs->lat_jitter = jitter_ns;
    pthread_mutex_unlock(&fs->fault_lock);
}

/// Whether a change may go ahead, with the lock held. While a power failure is under way (`cfs_freeze`) the
/// change waits, lock released, until the kernel interrupts it: the SIGKILL that follows the freeze makes it
/// send FUSE_INTERRUPT for every request the dying process has in flight. The answer is then EIO, which the
/// process never sees (it dies on its way back to user space), and nothing it asked for reached the disk. A
/// change that never gets interrupted gives up after 10 s.
int cfs_gate(struct cfs *fs) {
    for (int waited = 0; fs->frozen && waited < 10000; waited++) {
        pthread_mutex_unlock(&fs->lock);
        usleep(1000);
        int interrupted = fuse_interrupted();
        pthread_mutex_lock(&fs->lock);
        if (interrupted) return EIO;
    }
    return fs->powered_off || fs->frozen ? EIO : 0;
}
