// The name operations of the durability layer: mkdir, unlink, rmdir and rename happen on the backing directory
// at once and are journaled (journal.c) with what undoing them needs; what they remove waits in the trash.
#include "cfs_internal.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FS ((struct cfs *)fuse_get_context()->private_data)

int cfs_op_mkdir(const char *path, mode_t mode) {
    struct cfs *fs = FS;
    pthread_mutex_lock(&fs->lock);
    int g = cfs_gate(fs);
    int r = g ? -g : mkdirat(fs->rootfd, cfs_rel(path), mode) == 0 ? 0 : -errno;
    if (r == 0) r = cfs_journal_add(fs, CFS_J_MKDIR, path, NULL, NULL, 1);
    pthread_mutex_unlock(&fs->lock);
    return r;
}

static int dir_is_empty(struct cfs *fs, const char *rel) {
    int fd = openat(fs->rootfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -errno;
    DIR *d = fdopendir(fd);
    if (!d) { close(fd); return -ENOMEM; }
    int empty = 1;
    for (struct dirent *de; (de = readdir(d));)
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) { empty = 0; break; }
    closedir(d);
    return empty;
}

/// Moves `path` into the trash (kept until the removal is durable) and journals `kind`.
static int remove_to_trash(struct cfs *fs, const char *path, int kind) {
    struct stat st;
    const char *rel = cfs_rel(path);
    if (fstatat(fs->rootfd, rel, &st, AT_SYMLINK_NOFOLLOW) != 0) return -errno;
    int is_dir = S_ISDIR(st.st_mode);
    if (kind == CFS_J_UNLINK && is_dir) return -EISDIR;
    if (kind == CFS_J_RMDIR) {
        if (!is_dir) return -ENOTDIR;
        int empty = dir_is_empty(fs, rel);
        if (empty < 0) return empty;
        if (!empty) return -ENOTEMPTY;
    }
    char trash[32];
    cfs_trash_name(fs, trash, sizeof trash);
    if (renameat(fs->rootfd, rel, fs->trashfd, trash) != 0) return -errno;
    cfs_file_detach(fs, path);
    return cfs_journal_add(fs, kind, path, NULL, trash, is_dir);
}

int cfs_op_unlink(const char *path) {
    struct cfs *fs = FS;
    pthread_mutex_lock(&fs->lock);
    int g = cfs_gate(fs);
    int r = g ? -g : remove_to_trash(fs, path, CFS_J_UNLINK);
    pthread_mutex_unlock(&fs->lock);
    return r;
}

int cfs_op_rmdir(const char *path) {
    struct cfs *fs = FS;
    pthread_mutex_lock(&fs->lock);
    int g = cfs_gate(fs);
    int r = g ? -g : remove_to_trash(fs, path, CFS_J_RMDIR);
    pthread_mutex_unlock(&fs->lock);
    return r;
}

static int rename_locked(struct cfs *fs, const char *from, const char *to, unsigned int flags) {
    if (flags & ~RENAME_NOREPLACE) return -EINVAL;
    struct stat sf, st;
    if (fstatat(fs->rootfd, cfs_rel(from), &sf, AT_SYMLINK_NOFOLLOW) != 0) return -errno;
    char trash[32];
    int replaced = fstatat(fs->rootfd, cfs_rel(to), &st, AT_SYMLINK_NOFOLLOW) == 0;
    if (replaced) {
        if (flags & RENAME_NOREPLACE) return -EEXIST;
        if (sf.st_ino == st.st_ino && sf.st_dev == st.st_dev) return 0;
        if (S_ISDIR(st.st_mode)) {
            if (!S_ISDIR(sf.st_mode)) return -EISDIR;
            int empty = dir_is_empty(fs, cfs_rel(to));
            if (empty < 0) return empty;
            if (!empty) return -ENOTEMPTY;
        } else if (S_ISDIR(sf.st_mode)) {
            return -ENOTDIR;
        }
        cfs_trash_name(fs, trash, sizeof trash);
        if (renameat(fs->rootfd, cfs_rel(to), fs->trashfd, trash) != 0) return -errno;
    }
    if (renameat(fs->rootfd, cfs_rel(from), fs->rootfd, cfs_rel(to)) != 0) {
        int e = errno;
        if (replaced) renameat(fs->trashfd, trash, fs->rootfd, cfs_rel(to));
        return -e;
    }
    if (replaced) cfs_file_detach(fs, to);
    cfs_file_rekey(fs, from, to);
    return cfs_journal_add(fs, CFS_J_RENAME, from, to, replaced ? trash : NULL, replaced && S_ISDIR(st.st_mode));
}

int cfs_op_rename(const char *from, const char *to, unsigned int flags) {
    struct cfs *fs = FS;
    pthread_mutex_lock(&fs->lock);
    int g = cfs_gate(fs);
    int r = g ? -g : rename_locked(fs, from, to, flags);
    pthread_mutex_unlock(&fs->lock);
    return r;
}
