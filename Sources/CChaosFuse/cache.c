// The page cache of the durability layer: undurable writes per file, overlaid on the backing file for reads,
// written through on fsync, dropped on a power failure.
#include "cfs_internal.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static unsigned bucket(const char *path) {
    unsigned h = 5381;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) h = h * 33 + *p;
    return h % CFS_BUCKETS;
}

cfs_file *cfs_file_find(struct cfs *fs, const char *path) {
    for (cfs_file *f = fs->table[bucket(path)]; f; f = f->hnext)
        if (strcmp(f->path, path) == 0) return f;
    return NULL;
}

static void unlink_from_table(struct cfs *fs, cfs_file *f) {
    cfs_file **slot = &fs->table[bucket(f->path)];
    while (*slot && *slot != f) slot = &(*slot)->hnext;
    if (*slot) *slot = f->hnext;
    f->hnext = NULL;
}

static void free_extents(cfs_file *f) {
    for (cfs_extent *e = f->head, *n; e; e = n) {
        n = e->next;
        free(e->data);
        free(e);
    }
    f->head = f->tail = NULL;
}

static void free_file(cfs_file *f) {
    free_extents(f);
    free(f->path);
    free(f);
}

/// The cached file for `path`, created from the backing file's size (through `fd`, or by path when -1).
cfs_file *cfs_file_get(struct cfs *fs, const char *path, int fd) {
    cfs_file *f = cfs_file_find(fs, path);
    if (!f) {
        struct stat st;
        int r = fd >= 0 ? fstat(fd, &st) : fstatat(fs->rootfd, cfs_rel(path), &st, 0);
        f = calloc(1, sizeof *f);
        if (!f) return NULL;
        f->path = strdup(path);
        f->size = f->floor = r == 0 ? st.st_size : 0;
        f->refs = 1; // the table's
        unsigned b = bucket(path);
        f->hnext = fs->table[b];
        fs->table[b] = f;
    }
    f->refs++;
    return f;
}

void cfs_file_put(struct cfs *fs, cfs_file *f) {
    if (--f->refs > 0) {
        // Only the table holds it: keep it while it has undurable state, which later opens must see.
        if (f->refs == 1 && f->path && !f->dirty) {
            unlink_from_table(fs, f);
            free_file(f);
        }
        return;
    }
    free_file(f); // detached and closed
}

void cfs_file_detach(struct cfs *fs, const char *path) {
    cfs_file *f = cfs_file_find(fs, path);
    if (!f) return;
    unlink_from_table(fs, f);
    if (fs->last_file == f) fs->last_file = NULL;
    free(f->path);
    f->path = NULL;
    cfs_file_put(fs, f); // the table's reference
}

/// Follows a rename: `from` itself, and for a directory every path under it.
void cfs_file_rekey(struct cfs *fs, const char *from, const char *to) {
    size_t flen = strlen(from);
    cfs_file *moved = NULL;
    for (int b = 0; b < CFS_BUCKETS; b++) {
        for (cfs_file **slot = &fs->table[b]; *slot;) {
            cfs_file *f = *slot;
            if (strncmp(f->path, from, flen) == 0 && (f->path[flen] == 0 || f->path[flen] == '/')) {
                *slot = f->hnext;
                f->hnext = moved;
                moved = f;
            } else {
                slot = &f->hnext;
            }
        }
    }
    while (moved) {
        cfs_file *f = moved;
        moved = f->hnext;
        size_t len = strlen(to) + strlen(f->path + flen) + 1;
        char *path = malloc(len);
        snprintf(path, len, "%s%s", to, f->path + flen);
        free(f->path);
        f->path = path;
        unsigned b = bucket(path);
        f->hnext = fs->table[b];
        fs->table[b] = f;
    }
}

int cfs_cache_write(struct cfs *fs, cfs_file *f, const char *buf, size_t len, off_t off) {
    cfs_extent *t = f->tail;
    if (t && !t->lost && t->off + (off_t)t->len == off) {
        if (t->len + len > t->cap) {
            size_t cap = t->cap * 2 > t->len + len ? t->cap * 2 : t->len + len;
            char *data = realloc(t->data, cap);
            if (!data) return -ENOMEM;
            t->data = data;
            t->cap = cap;
        }
        memcpy(t->data + t->len, buf, len);
        t->len += len;
    } else {
        cfs_extent *e = calloc(1, sizeof *e);
        char *data = malloc(len > 4096 ? len : 4096);
        if (!e || !data) { free(e); free(data); return -ENOMEM; }
        memcpy(data, buf, len);
        *e = (cfs_extent){ .off = off, .len = len, .cap = len > 4096 ? len : 4096, .data = data };
        if (t) t->next = e; else f->head = e;
        f->tail = e;
    }
    if (off + (off_t)len > f->size) f->size = off + (off_t)len;
    f->dirty = 1;
    fs->last_file = f;
    fs->last_off = off;
    fs->last_len = len;
    fs->stats.pending_bytes += len;
    return 0;
}

/// What a reader sees: the backing bytes below `floor`, zeros above, every cached write laid over in order.
ssize_t cfs_cache_read(cfs_file *f, int fd, char *buf, size_t len, off_t off) {
    if (off >= f->size) return 0;
    if ((off_t)len > f->size - off) len = (size_t)(f->size - off);
    size_t from_disk = off < f->floor ? (size_t)(f->floor - off) : 0;
    if (from_disk > len) from_disk = len;
    size_t got = 0;
    while (got < from_disk) {
        ssize_t n = pread(fd, buf + got, from_disk - got, off + (off_t)got);
        if (n < 0) { if (errno == EINTR) continue; return -errno; }
        if (n == 0) break;
        got += (size_t)n;
    }
    memset(buf + got, 0, len - got);
    for (cfs_extent *e = f->head; e; e = e->next) {
        off_t lo = e->off > off ? e->off : off;
        off_t hi = e->off + (off_t)e->len < off + (off_t)len ? e->off + (off_t)e->len : off + (off_t)len;
        if (lo < hi) memcpy(buf + (lo - off), e->data + (lo - e->off), (size_t)(hi - lo));
    }
    return (ssize_t)len;
}

void cfs_cache_truncate(cfs_file *f, off_t size) {
    if (size < f->floor) f->floor = size;
    for (cfs_extent **slot = &f->head; *slot;) {
        cfs_extent *e = *slot;
        if (e->off >= size) {
            *slot = e->next;
            free(e->data);
            free(e);
            continue;
        }
        if (e->off + (off_t)e->len > size) e->len = (size_t)(size - e->off);
        slot = &e->next;
    }
    f->tail = NULL;
    for (cfs_extent *e = f->head; e; e = e->next) f->tail = e;
    f->size = size;
    f->dirty = 1;
}

static int pwrite_all(int fd, const char *buf, size_t len, off_t off) {
    while (len > 0) {
        ssize_t n = pwrite(fd, buf, len, off);
        if (n < 0) { if (errno == EINTR) continue; return -errno; }
        buf += n; len -= (size_t)n; off += n;
    }
    return 0;
}

/// Writes the file's undurable state through to the backing file (the caller then fsyncs it). Lost extents
/// stay cached and unwritten, as Linux leaves pages whose writeback failed.
int cfs_cache_flush(struct cfs *fs, cfs_file *f, int fd) {
    if (!f->dirty) return 0;
    struct stat st;
    if (fstat(fd, &st) != 0) return -errno;
    if (f->floor < st.st_size && ftruncate(fd, f->floor) != 0) return -errno;
    int lost = 0;
    for (cfs_extent **slot = &f->head; *slot;) {
        cfs_extent *e = *slot;
        if (e->lost) { lost = 1; slot = &e->next; continue; }
        int r = pwrite_all(fd, e->data, e->len, e->off);
        if (r != 0) return r;
        fs->stats.synced_bytes += e->len;
        fs->stats.pending_bytes -= e->len;
        *slot = e->next;
        free(e->data);
        free(e);
    }
    f->tail = NULL;
    for (cfs_extent *e = f->head; e; e = e->next) f->tail = e;
    if (fstat(fd, &st) != 0) return -errno;
    if (st.st_size != f->size && ftruncate(fd, f->size) != 0) return -errno;
    f->floor = f->size;
    f->dirty = lost;
    if (fs->last_file == f && !lost) fs->last_file = NULL;
    return 0;
}

void cfs_cache_mark_lost(cfs_file *f) {
    for (cfs_extent *e = f->head; e; e = e->next) e->lost = 1;
}

/// The power failure's data half. A torn failure lets the last-written file's undurable writes reach the disk
/// in order up to a sector boundary (a disk writing back sequentially when the power went); everything else is
/// forgotten.
void cfs_cache_drop_all(struct cfs *fs, int torn, double fraction, cfs_drop_stats *out) {
    cfs_file *lf = fs->last_file;
    if (torn && lf && lf->path && lf->dirty) {
        uint64_t total = 0;
        for (cfs_extent *e = lf->head; e; e = e->next) if (!e->lost) total += e->len;
        uint64_t keep = (uint64_t)((double)total * fraction);
        if (keep >= total && total > 0) keep = total - 1;
        int fd = keep > 0 ? openat(fs->rootfd, cfs_rel(lf->path), O_RDWR | O_CLOEXEC) : -1;
        for (cfs_extent *e = lf->head; e && fd >= 0 && keep > 0; e = e->next) {
            if (e->lost) continue;
            size_t n = e->len < keep ? e->len : (size_t)keep;
            if (n < e->len) {
                // The cut falls inside this write: disks write whole sectors, so it lands on a 512-byte boundary
                // of the file (what WALs rely on to tell a torn tail from corruption).
                off_t end = (e->off + (off_t)n) & ~(off_t)511;
                n = end > e->off ? (size_t)(end - e->off) : 0;
                keep = n;
            }
            if (n > 0 && pwrite_all(fd, e->data, n, e->off) != 0) break;
            out->torn_bytes_kept += n;
            keep -= n;
        }
        if (fd >= 0) close(fd);
    }
    for (int b = 0; b < CFS_BUCKETS; b++) {
        for (cfs_file **slot = &fs->table[b]; *slot;) {
            cfs_file *f = *slot;
            if (f->dirty) {
                out->files++;
                for (cfs_extent *e = f->head; e; e = e->next) out->bytes_dropped += e->len;
            }
            free_extents(f);
            f->dirty = 0;
            if (f->refs == 1) { // nobody has it open: forget it
                *slot = f->hnext;
                free_file(f);
                continue;
            }
            struct stat st;
            f->size = f->floor = fstatat(fs->rootfd, cfs_rel(f->path), &st, 0) == 0 ? st.st_size : 0;
            slot = &f->hnext;
        }
    }
    if (out->bytes_dropped >= out->torn_bytes_kept) out->bytes_dropped -= out->torn_bytes_kept;
    fs->stats.pending_bytes = 0;
    fs->last_file = NULL;
}
