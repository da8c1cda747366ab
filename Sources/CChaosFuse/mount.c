// Lifecycle of the durability layer: create, mount and serve, power failure, unmount; and the mount probes.
#include "cfs_internal.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern const struct fuse_operations cfs_operations;

cfs_t *cfs_create(const char *backing_dir, const char *trash_dir, uint64_t seed, int *err) {
    struct cfs *fs = calloc(1, sizeof *fs);
    if (!fs) { *err = ENOMEM; return NULL; }
    fs->rootfd = open(backing_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    fs->trashfd = open(trash_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fs->rootfd < 0 || fs->trashfd < 0) {
        *err = errno;
        if (fs->rootfd >= 0) close(fs->rootfd);
        if (fs->trashfd >= 0) close(fs->trashfd);
        free(fs);
        return NULL;
    }
    pthread_mutex_init(&fs->lock, NULL);
    pthread_mutex_init(&fs->fault_lock, NULL);
    fs->rng = seed ? seed : 0x9E3779B97F4A7C15ULL;
    return fs;
}

static void *serve(void *arg) {
    struct cfs *fs = arg;
    struct fuse_loop_config *config = fuse_loop_cfg_create();
    fuse_loop_cfg_set_clone_fd(config, 0);
    fuse_loop_cfg_set_idle_threads(config, 4);
    fuse_loop_cfg_set_max_threads(config, 16);
    fuse_loop_mt(fs->fuse, config);
    fuse_loop_cfg_destroy(config);
    return NULL;
}

int cfs_mount(cfs_t *fs, const char *mountpoint) {
    char *argv[] = { "chaos-disk", "-o", "fsname=chaos-disk,subtype=chaos", NULL };
    struct fuse_args args = FUSE_ARGS_INIT(3, argv);
    fs->fuse = fuse_new(&args, &cfs_operations, sizeof cfs_operations, fs);
    fuse_opt_free_args(&args);
    if (!fs->fuse) return EINVAL;
    if (fuse_mount(fs->fuse, mountpoint) != 0) {
        fuse_destroy(fs->fuse);
        fs->fuse = NULL;
        return EPERM;
    }
    int r = pthread_create(&fs->loop, NULL, serve, fs);
    if (r != 0) {
        fuse_unmount(fs->fuse);
        fuse_destroy(fs->fuse);
        fs->fuse = NULL;
        return r;
    }
    fs->mounted = 1;
    return 0;
}

int cfs_unmount(cfs_t *fs) {
    if (!fs->mounted) return 0;
    fuse_exit(fs->fuse);
    fuse_unmount(fs->fuse); // the loop's read of /dev/fuse then fails with ENODEV and the loop returns
    pthread_join(fs->loop, NULL);
    fuse_destroy(fs->fuse);
    fs->fuse = NULL;
    fs->mounted = 0;
    return 0;
}

void cfs_destroy(cfs_t *fs) {
    if (!fs) return;
    cfs_unmount(fs);
    pthread_mutex_lock(&fs->lock);
    cfs_drop_stats ignored = { 0 };
    cfs_cache_drop_all(fs, 0, 0, &ignored);
    cfs_journal_commit(fs); // the run is over: what the node did stays on disk as it is
    pthread_mutex_unlock(&fs->lock);
    close(fs->rootfd);
    close(fs->trashfd);
    if (fs->err_has_re) regfree(&fs->err_re);
    free(fs);
}

void cfs_freeze(cfs_t *fs) {
    pthread_mutex_lock(&fs->lock);
    fs->frozen = 1;
    pthread_mutex_unlock(&fs->lock);
}

void cfs_power_off(cfs_t *fs, int torn, double torn_fraction, cfs_drop_stats *out) {
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&fs->lock);
    fs->frozen = 0;
    fs->powered_off = 1;
    cfs_cache_drop_all(fs, torn, torn_fraction, out);
    out->metadata_undone = cfs_journal_undo(fs);
    pthread_mutex_unlock(&fs->lock);
}

void cfs_power_on(cfs_t *fs) {
    pthread_mutex_lock(&fs->lock);
    fs->powered_off = 0;
    pthread_mutex_unlock(&fs->lock);
}

void cfs_get_stats(cfs_t *fs, cfs_stats *out) {
    pthread_mutex_lock(&fs->lock);
    *out = fs->stats;
    pthread_mutex_unlock(&fs->lock);
}

int cfs_enter_private_mount_namespace(void) {
    if (unshare(CLONE_NEWNS) != 0) return errno;
    if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) != 0) return errno;
    return 0;
}

static int write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    ssize_t n = write(fd, text, strlen(text));
    int e = n < 0 ? errno : 0;
    close(fd);
    return e;
}

/// The child of `cfs_probe_mount`: exits with (stage << 8 | errno), 0 on success.
static int probe_child(int in_user_namespace, uid_t uid, gid_t gid, const char *dir) {
    if (in_user_namespace) {
        if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) return errno;
        char map[64];
        snprintf(map, sizeof map, "0 %u 1", (unsigned)uid);
        if (write_file("/proc/self/setgroups", "deny") || write_file("/proc/self/uid_map", map)) return errno ? errno : 1;
        snprintf(map, sizeof map, "0 %u 1", (unsigned)gid);
        if (write_file("/proc/self/gid_map", map)) return errno ? errno : 1;
    } else if (unshare(CLONE_NEWNS) != 0) {
        return errno;
    }
    if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) != 0) return errno;
    int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
    if (fd < 0) return (1 << 8) | errno;
    char options[128];
    snprintf(options, sizeof options, "fd=%d,rootmode=40000,user_id=%u,group_id=%u", fd,
             (unsigned)(in_user_namespace ? 0 : getuid()), (unsigned)(in_user_namespace ? 0 : getgid()));
    if (mount("chaos-probe", dir, "fuse.chaos-probe", MS_NOSUID | MS_NODEV, options) != 0) return (2 << 8) | errno;
    umount2(dir, MNT_DETACH);
    return 0;
}

int cfs_probe_mount(int in_user_namespace, int *stage) {
    char dir[] = "/tmp/chaos-fuse-probe-XXXXXX";
    if (!mkdtemp(dir)) { *stage = 0; return errno; }
    uid_t uid = getuid();
    gid_t gid = getgid();
    pid_t pid = fork();
    if (pid == 0) {
        int r = probe_child(in_user_namespace, uid, gid, dir);
        _exit(r & 0xff ? (r >> 8) * 64 + (r & 0x3f) : 0);
    }
    int status = 0;
    int result = 0;
    if (pid < 0) { result = errno; *stage = 0; }
    else {
        while (waitpid(pid, &status, __WALL) < 0 && errno == EINTR) {}
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : 255;
        *stage = code / 64;
        result = code % 64;
        if (!WIFEXITED(status)) result = ECHILD;
    }
    rmdir(dir);
    return result;
}
