/*
 * index_lock.h - the writer lock of an index: flock(2) on INDEX/lock, with
 * the holder's pid, command line and start time written into the file so
 * that a second writer can say who holds it. The kernel drops the lock when
 * the holder's process dies, so there are no stale locks to break.
 */
#ifndef QUARRY_INDEX_LOCK_H
#define QUARRY_INDEX_LOCK_H

#include "internal.h"

#define QI_LOCK_NAME "lock"

/* Takes the lock of the index directory dir. On success *fd holds the
 * locked descriptor (close it to release). Errors: QUARRY_EBUSY with
 * "index <dir> is locked by pid N (<command>) since <time>", QUARRY_EIO;
 * message in errmsg. */
int qi_index_lock(const char *dir, int *fd, char *errmsg);
/* Releases a lock taken by qi_index_lock (fd < 0 is allowed). */
void qi_index_unlock(int fd);

#endif
