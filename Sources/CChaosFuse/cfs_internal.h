#ifndef CFS_INTERNAL_H
#define CFS_INTERNAL_H

#define FUSE_USE_VERSION 312
#define _GNU_SOURCE
#include <fuse3/fuse.h>
#include <pthread.h>
#include <regex.h>
#include <stdint.h>
#include <sys/types.h>
#include "CChaosFuse.h"

/// One write not yet durable. Appends directly after the previous write grow the same extent.
typedef struct cfs_extent {
    off_t off;
    size_t len, cap;
    char *data;
    /// A failed fsync covered it: still visible (Linux keeps the page), never written (it was marked clean).
    int lost;
    struct cfs_extent *next;
} cfs_extent;

/// The cached state of one file, keyed by its path while it has one.
typedef struct cfs_file {
    char *path;              // NULL once unlinked or replaced
    int refs;                // open handles, plus one while in the table
    cfs_extent *head, *tail;
    off_t size;              // the size readers see
    off_t floor;             // disk bytes at or past this offset are invisible (an undurable truncation)
    int dirty;               // size or data differ from the disk
    struct cfs_file *hnext;
} cfs_file;

/// An open file or directory. Both kinds share it, because the kernel passes a directory's handle too to
/// setattr (fchmod, futimens on a directory descriptor).
typedef struct {
    int fd;                  // the backing file (always O_RDWR) or directory
    int sync;                // opened O_SYNC or O_DSYNC: every write is made durable at once
    cfs_file *file;          // NULL for a directory
    void *dir;               // the DIR * of a directory
} cfs_handle;

enum { CFS_J_CREATE, CFS_J_MKDIR, CFS_J_UNLINK, CFS_J_RMDIR, CFS_J_RENAME };

/// One metadata change not yet durable, with what undoing it needs.
typedef struct cfs_jop {
    int kind;
    char *path, *path2;      // path2: a rename's destination
    char *trash;             // name in the trash directory of what it removed or replaced, or NULL
    int trash_is_dir;
    struct cfs_jop *prev, *next;
} cfs_jop;

#define CFS_BUCKETS 256

struct cfs {
    int rootfd, trashfd;
    pthread_mutex_t lock;                 // cache, journal, counters
    cfs_file *table[CFS_BUCKETS];
    cfs_jop *jhead, *jtail;
    uint64_t trash_seq;
    int powered_off;
    int frozen;                           // a power failure is under way: changes wait (see cfs_gate)
    cfs_file *last_file;                  // the last undurable write, for a torn power failure
    off_t last_off;
    size_t last_len;
    cfs_stats stats;

    pthread_mutex_t fault_lock;           // fault settings and the random stream
    int err_errno, err_ops, err_has_re;
    regex_t err_re;
    int lat_ops;
    uint64_t lat_mean, lat_jitter, rng;

    struct fuse *fuse;
    pthread_t loop;
    int mounted;
};

// cache.c
cfs_file *cfs_file_get(struct cfs *fs, const char *path, int fd);   // lock held; adds a ref
void cfs_file_put(struct cfs *fs, cfs_file *f);                     // lock held
cfs_file *cfs_file_find(struct cfs *fs, const char *path);          // lock held; no ref
void cfs_file_detach(struct cfs *fs, const char *path);             // lock held: unlinked or replaced
void cfs_file_rekey(struct cfs *fs, const char *from, const char *to);
int cfs_cache_write(struct cfs *fs, cfs_file *f, const char *buf, size_t len, off_t off);
ssize_t cfs_cache_read(cfs_file *f, int fd, char *buf, size_t len, off_t off);
void cfs_cache_truncate(cfs_file *f, off_t size);
int cfs_cache_flush(struct cfs *fs, cfs_file *f, int fd);          // lock held: writes what is not lost
void cfs_cache_mark_lost(cfs_file *f);
void cfs_cache_drop_all(struct cfs *fs, int torn, double fraction, cfs_drop_stats *out);

// journal.c
int cfs_journal_add(struct cfs *fs, int kind, const char *path, const char *path2, const char *trash, int is_dir);
int cfs_trash_name(struct cfs *fs, char *out, size_t size);
void cfs_journal_commit(struct cfs *fs);
uint64_t cfs_journal_undo(struct cfs *fs);

// names.c: the FUSE name operations
int cfs_op_mkdir(const char *path, mode_t mode);
int cfs_op_unlink(const char *path);
int cfs_op_rmdir(const char *path);
int cfs_op_rename(const char *from, const char *to, unsigned int flags);

// faults.c
int cfs_fault(struct cfs *fs, int op, const char *path);             // 0 or the errno to fail with; sleeps
int cfs_gate(struct cfs *fs);                                        // lock held: 0, or EIO (power is off)

static inline const char *cfs_rel(const char *path) {
    while (*path == '/') path++;
    return *path ? path : ".";
}

#endif
