/*
 * index_lock.c - one writer at a time per index.
 *
 * flock(LOCK_EX | LOCK_NB) on INDEX/lock: the lock belongs to the open file
 * description, so it is released by the kernel when the holder dies, even
 * by SIGKILL, and a second writer in the same process is refused like one
 * in another process. Readers never touch the lock. The file's content is
 * only information for the refused writer's message, so it is written
 * after the lock is held and a reader of it may see it empty.
 */
#include "index_lock.h"
#include "manifest.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

/* Holder info: "pid\ncommand\ntime\n", command from /proc/self/cmdline with
 * NULs turned into spaces (so a message can quote it). */
static void holder_info(char *out, size_t cap)
{
    char cmd[256];
    size_t n = 0, i;
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    char when[64];
    time_t now = time(NULL);
    struct tm tm;

    if (fd >= 0) {
        ssize_t r = read(fd, cmd, sizeof cmd - 1);
        n = r > 0 ? (size_t)r : 0;
        close(fd);
    }
    while (n > 0 && cmd[n - 1] == '\0')
        n--;
    for (i = 0; i < n; i++)
        if (cmd[i] == '\0' || cmd[i] == '\n')
            cmd[i] = ' ';
    cmd[n] = '\0';
    if (gmtime_r(&now, &tm))
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
    else
        snprintf(when, sizeof when, "%lld", (long long)now);
    snprintf(out, cap, "%ld\n%s\n%s\n", (long)getpid(), n ? cmd : "?", when);
}

int qi_index_lock(const char *dir, int *fd, char *errmsg)
{
    char path[PATH_MAX];
    char info[512];
    int f;

    *fd = -1;
    if (qi_path_join(path, dir, QI_LOCK_NAME) != QUARRY_OK) {
        qi_set_error(errmsg, "index path too long");
        return QUARRY_EINVAL;
    }
    f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (f < 0) {
        qi_set_error(errmsg, "cannot open %.300s: %s", path, strerror(errno));
        return QUARRY_EIO;
    }
    while (flock(f, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EINTR)
            continue;
        if (errno == EWOULDBLOCK) {
            char held[512], *pid, *cmd, *when, *nl;
            ssize_t r = pread(f, held, sizeof held - 1, 0);
            held[r > 0 ? r : 0] = '\0';
            pid = held;
            cmd = (nl = strchr(pid, '\n')) ? (*nl = '\0', nl + 1) : NULL;
            when =
                cmd && (nl = strchr(cmd, '\n')) ? (*nl = '\0', nl + 1) : NULL;
            if (when && (nl = strchr(when, '\n')))
                *nl = '\0';
            close(f);
            if (when)
                qi_set_error(errmsg,
                             "index %.200s is locked by pid %.20s (%.150s) "
                             "since %.40s",
                             dir, pid, cmd, when);
            else
                qi_set_error(errmsg,
                             "index %.200s is locked by another writer "
                             "(holder unknown)",
                             dir);
            return QUARRY_EBUSY;
        }
        qi_set_error(errmsg, "cannot lock %.300s: %s", path, strerror(errno));
        close(f);
        return QUARRY_EIO;
    }
    holder_info(info, sizeof info);
    /* Best effort: the lock is held whether or not the info lands. */
    if (ftruncate(f, 0) == 0 && pwrite(f, info, strlen(info), 0) < 0) {
        /* nothing to do: the refused writer then says "holder unknown" */
    }
    *fd = f;
    return QUARRY_OK;
}

void qi_index_unlock(int fd)
{
    if (fd >= 0)
        close(fd); /* closing the last descriptor releases the flock */
}
