#ifndef CCHAOS_FUSE_H
#define CCHAOS_FUSE_H

// chaos's durability layer: a FUSE file system (libfuse3, high-level API) that passes through to a backing
// directory but keeps written data in its own cache until the writer makes it durable, so a simulated power
// failure can drop exactly what a real disk could lose. The model is written down in docs/disk.md.

#include <stdint.h>
#include <sys/types.h>

/// One served directory: its cache, its metadata journal, its faults and its FUSE session.
typedef struct cfs cfs_t;

/// Operation classes a fault applies to (a bit mask).
enum {
    CFS_OP_WRITE = 1,   // write(2), including O_SYNC/O_DSYNC writes
    CFS_OP_FSYNC = 2,   // fsync/fdatasync of files and directories
    CFS_OP_READ = 4,
};

/// What a power failure dropped.
typedef struct {
    uint64_t bytes_dropped;     // written bytes that never became durable
    uint64_t files;             // files that had undurable data
    uint64_t metadata_undone;   // creates, renames, unlinks, mkdirs, rmdirs rolled back
    uint64_t torn_bytes_kept;   // bytes of the last undurable write kept (torn write)
} cfs_drop_stats;

/// Counters since the file system was created.
typedef struct {
    uint64_t writes, write_bytes;
    uint64_t fsyncs, synced_bytes;
    uint64_t pending_bytes;     // undurable bytes held in the cache now
    uint64_t errors_injected, delays_injected;
} cfs_stats;

/// Creates a file system over `backing_dir`; `trash_dir` (same file system, outside `backing_dir`) keeps what
/// unlink/rename/rmdir removed until that becomes durable. Returns NULL with `*err` set.
cfs_t *cfs_create(const char *backing_dir, const char *trash_dir, uint64_t seed, int *err);

/// Mounts it on `mountpoint` and starts serving on its own pthreads. The mount lands in the calling thread's
/// mount namespace. Returns 0 or an errno.
int cfs_mount(cfs_t *fs, const char *mountpoint);

/// Unmounts (lazily) from the calling thread's mount namespace and stops serving. Returns 0 or an errno.
int cfs_unmount(cfs_t *fs);

/// Frees everything; call after `cfs_unmount` (or when never mounted).
void cfs_destroy(cfs_t *fs);

/// The first half of a power failure, before the writer is killed: from now on no change reaches the cache or
/// the disk; each waits until the kill interrupts it (and then fails, unseen by the dying writer).
void cfs_freeze(cfs_t *fs);

/// Power failure: drops every undurable write and rolls back every undurable metadata change. With `torn`,
/// the first `torn_fraction` of the last undurable write reaches the disk. Until `cfs_power_on`, every
/// change is refused with EIO. Call after `cfs_freeze` and once the writer is dead.
void cfs_power_off(cfs_t *fs, int torn, double torn_fraction, cfs_drop_stats *out);
void cfs_power_on(cfs_t *fs);

/// Makes operations in `ops` whose path matches the POSIX extended regular expression `path_regex` (NULL: any
/// path) fail with `error` (EIO, ENOSPC); `error` 0 clears it. Returns 0, or EINVAL for a bad expression.
int cfs_set_error(cfs_t *fs, int error, int ops, const char *path_regex);

/// Delays operations in `ops` by `mean_ns` ± `jitter_ns` (uniform); `ops` 0 clears it.
void cfs_set_latency(cfs_t *fs, int ops, uint64_t mean_ns, uint64_t jitter_ns);

void cfs_get_stats(cfs_t *fs, cfs_stats *out);

/// Makes the calling thread's mount namespace a private copy of its current one, with mount events flowing
/// only from the host into it (MS_SLAVE), so FUSE mounts made on this thread never show on the host and
/// vanish with the last process in the namespace. Returns 0 or an errno.
int cfs_enter_private_mount_namespace(void);

/// Tries a real FUSE mount in a throw-away child (in a new user namespace when `in_user_namespace`).
/// Returns 0, or the errno of the step that failed; `*stage` names it (0 unshare, 1 open /dev/fuse, 2 mount).
int cfs_probe_mount(int in_user_namespace, int *stage);

#endif
