// The FUSE operations of the durability layer on file contents and handles (libfuse3 high-level API, paths
// relative to the backing dir); the name operations are in names.c.
#include "cfs_internal.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define FS ((struct cfs *)fuse_get_context()->private_data)
#define HANDLE(fi) ((cfs_handle *)(uintptr_t)(fi)->fh)

static void *op_init(struct fuse_conn_info *conn, struct fuse_config *cfg) {
    (void)conn;
    // No kernel-side caching of names or attributes: after a power failure the next lookup must see the disk.
    // Page contents are dropped at every open (no keep_cache), and only a dead writer's files lose data.
    cfg->entry_timeout = 0;
    cfg->attr_timeout = 0;
    cfg->negative_timeout = 0;
    cfg->hard_remove = 1;   // an unlinked open file is unlinked for real (no .fuse_hidden renames)
    cfg->nullpath_ok = 1;
    cfg->use_ino = 1;
    return fuse_get_context()->private_data;
}

static int op_getattr(const char *path, struct stat *st, struct fuse_file_info *fi) {
    struct cfs *fs = FS;
    int r = fi ? fstat(HANDLE(fi)->fd, st) : fstatat(fs->rootfd, cfs_rel(path), st, AT_SYMLINK_NOFOLLOW);
    if (r != 0) return -errno;
    pthread_mutex_lock(&fs->lock);
    cfs_file *f = fi ? HANDLE(fi)->file : (S_ISREG(st->st_mode) && path ? cfs_file_find(fs, path) : NULL);
    if (f && f->dirty) {
        st->st_size = f->size;
        st->st_blocks = (f->size + 511) / 512;
    }
    pthread_mutex_unlock(&fs->lock);
    return 0;
}

static int open_common(const char *path, struct fuse_file_info *fi, int create, mode_t mode) {
    struct cfs *fs = FS;
    int flags = fi->flags;
    int base = (flags & ~(O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC | O_APPEND | O_SYNC | O_DSYNC | O_NOCTTY))
               | O_RDWR | O_CLOEXEC;
    int created = 0, fd = -1;
    pthread_mutex_lock(&fs->lock);
    int gate = create || (flags & O_ACCMODE) != O_RDONLY ? cfs_gate(fs) : 0;
    if (gate) {
        pthread_mutex_unlock(&fs->lock);
        return -gate;
    }
    if (create) {
        fd = openat(fs->rootfd, cfs_rel(path), base | O_CREAT | O_EXCL, mode);
        if (fd >= 0) created = 1;
        else if (errno == EEXIST && !(flags & O_EXCL)) fd = openat(fs->rootfd, cfs_rel(path), base);
    } else {
        fd = openat(fs->rootfd, cfs_rel(path), base);
    }
    if (fd < 0) {
        int e = errno;
        pthread_mutex_unlock(&fs->lock);
        return -e;
    }
    cfs_handle *h = calloc(1, sizeof *h);
    cfs_file *f = cfs_file_get(fs, path, fd);
    if (!h || !f || (created && cfs_journal_add(fs, CFS_J_CREATE, path, NULL, NULL, 0) != 0)) {
        if (f) cfs_file_put(fs, f);
        pthread_mutex_unlock(&fs->lock);
        free(h);
        close(fd);
        return -ENOMEM;
    }
    if (flags & O_TRUNC) cfs_cache_truncate(f, 0);
    pthread_mutex_unlock(&fs->lock);
    *h = (cfs_handle){ .fd = fd, .sync = (flags & (O_SYNC | O_DSYNC)) != 0, .file = f };
    fi->fh = (uint64_t)(uintptr_t)h;
    return 0;
}

static int op_open(const char *path, struct fuse_file_info *fi) { return open_common(path, fi, 0, 0); }

static int op_create(const char *path, mode_t mode, struct fuse_file_info *fi) {
    return open_common(path, fi, 1, mode);
}

static int op_release(const char *path, struct fuse_file_info *fi) {
    (void)path;
    struct cfs *fs = FS;
    cfs_handle *h = HANDLE(fi);
    close(h->fd);
    pthread_mutex_lock(&fs->lock);
    cfs_file_put(fs, h->file);
    pthread_mutex_unlock(&fs->lock);
    free(h);
    return 0;
}

static int op_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi) {
    struct cfs *fs = FS;
    cfs_handle *h = HANDLE(fi);
    int e = cfs_fault(fs, CFS_OP_READ, path ? path : h->file->path);
    if (e) return -e;
    pthread_mutex_lock(&fs->lock);
    if (h->file->dirty) {
        ssize_t n = cfs_cache_read(h->file, h->fd, buf, size, off);
        pthread_mutex_unlock(&fs->lock);
        return (int)n;
    }
    pthread_mutex_unlock(&fs->lock);
    ssize_t n = pread(h->fd, buf, size, off);
    return n < 0 ? -errno : (int)n;
}

static int sync_file(struct cfs *fs, cfs_handle *h, int datasync) {
    pthread_mutex_lock(&fs->lock);
    { int g = cfs_gate(fs); if (g) { pthread_mutex_unlock(&fs->lock); return -g; } }
    int r = cfs_cache_flush(fs, h->file, h->fd);
    if (r == 0) cfs_journal_commit(fs);
    fs->stats.fsyncs++;
    pthread_mutex_unlock(&fs->lock);
    if (r != 0) return r;
    // The backing file is made durable too, so the host's disk matches what the model calls durable.
    return (datasync ? fdatasync(h->fd) : fsync(h->fd)) == 0 ? 0 : -errno;
}

static int op_write(const char *path, const char *buf, size_t size, off_t off, struct fuse_file_info *fi) {
    struct cfs *fs = FS;
    cfs_handle *h = HANDLE(fi);
    int e = cfs_fault(fs, CFS_OP_WRITE, path ? path : h->file->path);
    if (e) return -e;
    pthread_mutex_lock(&fs->lock);
    { int g = cfs_gate(fs); if (g) { pthread_mutex_unlock(&fs->lock); return -g; } }
    int r = cfs_cache_write(fs, h->file, buf, size, off);
    fs->stats.writes++;
    fs->stats.write_bytes += size;
    pthread_mutex_unlock(&fs->lock);
    if (r != 0) return r;
    if (h->sync && (r = sync_file(fs, h, 1)) != 0) return r;
    return (int)size;
}

static int op_fsync(const char *path, int datasync, struct fuse_file_info *fi) {
    struct cfs *fs = FS;
    cfs_handle *h = HANDLE(fi);
    int e = cfs_fault(fs, CFS_OP_FSYNC, path ? path : h->file->path);
    if (e) {
        // As Linux after a failed writeback: the pages stay readable but are marked clean, so a retried fsync
        // succeeds without ever writing them (PostgreSQL's "fsyncgate").
        pthread_mutex_lock(&fs->lock);
        cfs_cache_mark_lost(h->file);
        pthread_mutex_unlock(&fs->lock);
        return -e;
    }
    return sync_file(fs, h, datasync);
}

static int op_flush(const char *path, struct fuse_file_info *fi) { (void)path; (void)fi; return 0; }

static int op_truncate(const char *path, off_t size, struct fuse_file_info *fi) {
    struct cfs *fs = FS;
    // Not subject to injected write errors: truncating is how a writer cleans up after ENOSPC.
    pthread_mutex_lock(&fs->lock);
    { int g = cfs_gate(fs); if (g) { pthread_mutex_unlock(&fs->lock); return -g; } }
    cfs_file *f = fi ? HANDLE(fi)->file : path ? cfs_file_get(fs, path, -1) : NULL;
    if (!f) { pthread_mutex_unlock(&fs->lock); return -ENOMEM; }
    cfs_cache_truncate(f, size);
    if (!fi) cfs_file_put(fs, f);
    pthread_mutex_unlock(&fs->lock);
    return 0;
}

static int op_opendir(const char *path, struct fuse_file_info *fi) {
    int fd = openat(FS->rootfd, cfs_rel(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -errno;
    DIR *d = fdopendir(fd);
    cfs_handle *h = calloc(1, sizeof *h);
    if (!d || !h) { if (d) closedir(d); else close(fd); free(h); return -ENOMEM; }
    *h = (cfs_handle){ .fd = fd, .dir = d };
    fi->fh = (uint64_t)(uintptr_t)h;
    return 0;
}

static int op_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off, struct fuse_file_info *fi,
                      enum fuse_readdir_flags flags) {
    (void)path; (void)off; (void)flags;
    DIR *d = HANDLE(fi)->dir;
    rewinddir(d);
    for (struct dirent *de; (de = readdir(d));) {
        struct stat st = { .st_ino = de->d_ino, .st_mode = (mode_t)DTTOIF(de->d_type) };
        if (fill(buf, de->d_name, &st, 0, 0)) break;
    }
    return 0;
}

static int op_releasedir(const char *path, struct fuse_file_info *fi) {
    (void)path;
    closedir(HANDLE(fi)->dir);
    free(HANDLE(fi));
    return 0;
}

static int op_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi) {
    struct cfs *fs = FS;
    int e = cfs_fault(fs, CFS_OP_FSYNC, path);
    if (e) return -e;
    pthread_mutex_lock(&fs->lock);
    { int g = cfs_gate(fs); if (g) { pthread_mutex_unlock(&fs->lock); return -g; } }
    cfs_journal_commit(fs);
    fs->stats.fsyncs++;
    pthread_mutex_unlock(&fs->lock);
    int fd = HANDLE(fi)->fd;
    return (datasync ? fdatasync(fd) : fsync(fd)) == 0 ? 0 : -errno;
}

static int op_statfs(const char *path, struct statvfs *st) {
    (void)path;
    return fstatvfs(FS->rootfd, st) == 0 ? 0 : -errno;
}

static int op_chmod(const char *path, mode_t mode, struct fuse_file_info *fi) {
    int r = fi ? fchmod(HANDLE(fi)->fd, mode) : fchmodat(FS->rootfd, cfs_rel(path), mode, 0);
    return r == 0 ? 0 : -errno;
}

static int op_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi) {
    int r = fi ? fchown(HANDLE(fi)->fd, uid, gid) : fchownat(FS->rootfd, cfs_rel(path), uid, gid, AT_SYMLINK_NOFOLLOW);
    return r == 0 ? 0 : -errno;
}

static int op_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi) {
    int r = fi ? futimens(HANDLE(fi)->fd, tv) : utimensat(FS->rootfd, cfs_rel(path), tv, AT_SYMLINK_NOFOLLOW);
    return r == 0 ? 0 : -errno;
}

const struct fuse_operations cfs_operations = {
    .init = op_init,
    .getattr = op_getattr,
    .open = op_open,
    .create = op_create,
    .release = op_release,
    .read = op_read,
    .write = op_write,
    .fsync = op_fsync,
    .flush = op_flush,
    .truncate = op_truncate,
    .mkdir = cfs_op_mkdir,
    .unlink = cfs_op_unlink,
    .rmdir = cfs_op_rmdir,
    .rename = cfs_op_rename,
    .opendir = op_opendir,
    .readdir = op_readdir,
    .releasedir = op_releasedir,
    .fsyncdir = op_fsyncdir,
    .statfs = op_statfs,
    .chmod = op_chmod,
    .chown = op_chown,
    .utimens = op_utimens,
};
