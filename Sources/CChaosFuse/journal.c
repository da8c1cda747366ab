// The metadata journal of the durability layer. Creates, mkdirs, unlinks, rmdirs and renames happen on the
// backing directory at once, but each is remembered with what undoing it needs (a removed or replaced entry
// waits in the trash directory) until a journal commit makes it durable. As in ext4's ordered journal, any
// fsync or fdatasync (of a file or a directory) commits every metadata change made before it; a power failure
// undoes the uncommitted ones, newest first.
#include "cfs_internal.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cfs_trash_name(struct cfs *fs, char *out, size_t size) {
    snprintf(out, size, "t%llu", (unsigned long long)++fs->trash_seq);
    return 0;
}

int cfs_journal_add(struct cfs *fs, int kind, const char *path, const char *path2, const char *trash, int is_dir) {
    cfs_jop *op = calloc(1, sizeof *op);
    if (!op) return -ENOMEM;
    op->kind = kind;
    op->path = strdup(path);
    op->path2 = path2 ? strdup(path2) : NULL;
    op->trash = trash ? strdup(trash) : NULL;
    op->trash_is_dir = is_dir;
    op->prev = fs->jtail;
    if (fs->jtail) fs->jtail->next = op; else fs->jhead = op;
    fs->jtail = op;
    return 0;
}

static void free_op(cfs_jop *op) {
    free(op->path);
    free(op->path2);
    free(op->trash);
    free(op);
}

/// Everything so far is durable: what waited in the trash is gone for good.
void cfs_journal_commit(struct cfs *fs) {
    for (cfs_jop *op = fs->jhead, *n; op; op = n) {
        n = op->next;
        if (op->trash) unlinkat(fs->trashfd, op->trash, op->trash_is_dir ? AT_REMOVEDIR : 0);
        free_op(op);
    }
    fs->jhead = fs->jtail = NULL;
}

/// Rolls back every uncommitted change, newest first; returns how many.
uint64_t cfs_journal_undo(struct cfs *fs) {
    uint64_t undone = 0;
    for (cfs_jop *op = fs->jtail, *p; op; op = p) {
        p = op->prev;
        const char *path = cfs_rel(op->path);
        switch (op->kind) {
        case CFS_J_CREATE:
            unlinkat(fs->rootfd, path, 0);
            break;
        case CFS_J_MKDIR:
            unlinkat(fs->rootfd, path, AT_REMOVEDIR);
            break;
        case CFS_J_UNLINK:
        case CFS_J_RMDIR:
            renameat(fs->trashfd, op->trash, fs->rootfd, path);
            break;
        case CFS_J_RENAME:
            renameat(fs->rootfd, cfs_rel(op->path2), fs->rootfd, path);
            if (op->trash) renameat(fs->trashfd, op->trash, fs->rootfd, cfs_rel(op->path2));
            break;
        }
        undone++;
        free_op(op);
    }
    fs->jhead = fs->jtail = NULL;
    return undone;
}
