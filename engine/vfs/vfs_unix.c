/*
** vfs_unix.c — the POSIX backend ("unix").  Every request completes inline
** (pread/pwrite/fsync), so submit calls return SQLITE_OK with io->done set.
**
** Locking follows SQLite's unix VFS exactly so that sqlite3 processes and
** Shale exclude each other: POSIX advisory locks on the PENDING byte
** (0x40000000), the RESERVED byte (+1) and the SHARED range (+2, 510 bytes),
** taken with F_SETLK (never waiting), through the SHARED -> RESERVED ->
** PENDING -> EXCLUSIVE protocol.
**
** POSIX locks belong to the process and inode, and closing ANY descriptor of
** the inode drops all of them.  So, like SQLite, we keep a process-wide,
** mutex-protected registry of open inodes (documented global state): lock
** levels are counted per inode across all connections of this process, and
** closing a file whose inode still holds locks defers the close() until the
** last lock is released.
*/
#include "vfs_int.h"
#include "vfs_unix.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

typedef struct UnixInode UnixInode;
typedef struct UnixFile UnixFile;

struct UnixInode {
  dev_t dev;
  ino_t ino;
  int nRef;         /* UnixFiles pointing here */
  int nShared;      /* connections of this process holding SHARED or more */
  int nLock;        /* connections holding any lock */
  int eFileLock;    /* strongest lock held by this process */
  int *aDeferred;   /* fds whose close waits for nLock == 0 */
  int nDeferred;
  UnixInode *next;
};

struct UnixFile {
  ShaleFile base;
  int fd;
  int eFileLock;
  int flags;        /* SQLITE_OPEN_* */
  int dirSyncPending;
  UnixInode *inode;
  char *path;       /* full path (owned) or NULL for anonymous temp */
  void *shm;        /* for unix_shm.c */
};

static pthread_mutex_t inode_mutex = PTHREAD_MUTEX_INITIALIZER;
static UnixInode *inode_list;

static int errno_to_rc(int err, int dflt) {
  switch (err) {
    case ENOSPC:
#ifdef EDQUOT
    case EDQUOT:
#endif
      return SQLITE_FULL;
    case ENOMEM:
      return SQLITE_IOERR_NOMEM;
    default:
      return dflt;
  }
}

/* ---------------------------------------------------------------- I/O --- */

static int unix_read(ShaleFile *f, void *buf, int n, i64 off, ShaleIo *io) {
  UnixFile *p = (UnixFile *)f;
  int got = 0;
  while (got < n) {
    ssize_t r = pread(p->fd, (char *)buf + got, (size_t)(n - got), (off_t)(off + got));
    if (r < 0) {
      if (errno == EINTR) continue;
      return shale_io_complete(io, SQLITE_IOERR_READ);
    }
    if (r == 0) break;
    got += (int)r;
  }
  if (got < n) {
    memset((char *)buf + got, 0, (size_t)(n - got));
    return shale_io_complete(io, SQLITE_IOERR_SHORT_READ);
  }
  return shale_io_complete(io, SQLITE_OK);
}

static int unix_write(ShaleFile *f, const void *buf, int n, i64 off, ShaleIo *io) {
  UnixFile *p = (UnixFile *)f;
  int done = 0;
  while (done < n) {
    ssize_t r = pwrite(p->fd, (const char *)buf + done, (size_t)(n - done),
                       (off_t)(off + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return shale_io_complete(io, errno_to_rc(errno, SQLITE_IOERR_WRITE));
    }
    if (r == 0) return shale_io_complete(io, SQLITE_FULL);
    done += (int)r;
  }
  return shale_io_complete(io, SQLITE_OK);
}

static int unix_truncate(ShaleFile *f, i64 size, ShaleIo *io) {
  UnixFile *p = (UnixFile *)f;
  int r;
  do {
    r = ftruncate(p->fd, (off_t)size);
  } while (r < 0 && errno == EINTR);
  return shale_io_complete(io, r < 0 ? SQLITE_IOERR_TRUNCATE : SQLITE_OK);
}

static int sync_dir_of(const char *path) {
  char dir[4096];
  if (path == NULL) return SQLITE_OK;
  size_t n = strlen(path);
  if (n >= sizeof(dir)) return SQLITE_OK;
  memcpy(dir, path, n + 1);
  char *slash = strrchr(dir, '/');
  if (slash == NULL) {
    strcpy(dir, ".");
  } else if (slash == dir) {
    dir[1] = 0;
  } else {
    *slash = 0;
  }
  int fd = open(dir, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return SQLITE_OK; /* like SQLite: ignore failure to open dir */
  fsync(fd);
  close(fd);
  return SQLITE_OK;
}

static int unix_sync(ShaleFile *f, int flags, ShaleIo *io) {
  UnixFile *p = (UnixFile *)f;
#if defined(__linux__)
  /* As SQLite built with HAVE_FDATASYNC: fdatasync also makes the file
  ** size durable (the metadata needed to read the data back), and skips
  ** the inode's timestamps -- several times cheaper than fsync. */
  SHALE_UNUSED(flags);
  int r = fdatasync(p->fd);
#else
  int r = (flags & SQLITE_SYNC_DATAONLY) ? fdatasync(p->fd) : fsync(p->fd);
#endif
  if (r < 0) return shale_io_complete(io, SQLITE_IOERR_FSYNC);
  if (p->dirSyncPending) {
    p->dirSyncPending = 0;
    sync_dir_of(p->path);
  }
  return shale_io_complete(io, SQLITE_OK);
}

static int unix_file_size(ShaleFile *f, i64 *size) {
  UnixFile *p = (UnixFile *)f;
  struct stat st;
  if (fstat(p->fd, &st) < 0) return SQLITE_IOERR_FSTAT;
  *size = (i64)st.st_size;
  return SQLITE_OK;
}

/* ------------------------------------------------------------ locking --- */

/* Set or clear a POSIX lock without waiting.  type: F_RDLCK/F_WRLCK/F_UNLCK. */
static int posix_lock(int fd, short type, off_t start, off_t len) {
  struct flock l;
  memset(&l, 0, sizeof(l));
  l.l_type = type;
  l.l_whence = SEEK_SET;
  l.l_start = start;
  l.l_len = len;
  int r;
  do {
    r = fcntl(fd, F_SETLK, &l);
  } while (r < 0 && errno == EINTR);
  return r;
}

static int unix_lock(ShaleFile *f, int level) {
  UnixFile *p = (UnixFile *)f;
  UnixInode *in = p->inode;
  int rc = SQLITE_OK;
  if (p->eFileLock >= level) return SQLITE_OK;
  if (in == NULL) { /* anonymous temp file: no locking needed */
    p->eFileLock = level;
    return SQLITE_OK;
  }
  pthread_mutex_lock(&inode_mutex);
  /* Another connection of this process holds a conflicting lock. */
  if (p->eFileLock != in->eFileLock &&
      (in->eFileLock >= SQLITE_LOCK_PENDING || level > SQLITE_LOCK_SHARED)) {
    rc = SQLITE_BUSY;
    goto out;
  }
  /* SHARED while others of this process hold SHARED or RESERVED. */
  if (level == SQLITE_LOCK_SHARED &&
      (in->eFileLock == SQLITE_LOCK_SHARED || in->eFileLock == SQLITE_LOCK_RESERVED)) {
    p->eFileLock = SQLITE_LOCK_SHARED;
    in->nShared++;
    in->nLock++;
    goto out;
  }
  /* Acquire the PENDING byte for SHARED (read lock, transiently) or on the
  ** way to EXCLUSIVE (write lock, kept). */
  if (level == SQLITE_LOCK_SHARED ||
      (level == SQLITE_LOCK_EXCLUSIVE && p->eFileLock < SQLITE_LOCK_PENDING)) {
    if (posix_lock(p->fd, level == SQLITE_LOCK_SHARED ? F_RDLCK : F_WRLCK,
                   SHALE_PENDING_BYTE, 1) < 0) {
      rc = (errno == EACCES || errno == EAGAIN) ? SQLITE_BUSY : SQLITE_IOERR_LOCK;
      goto out;
    }
  }
  if (level == SQLITE_LOCK_SHARED) {
    int r = posix_lock(p->fd, F_RDLCK, SHALE_SHARED_FIRST, SHALE_SHARED_SIZE);
    int err = errno;
    posix_lock(p->fd, F_UNLCK, SHALE_PENDING_BYTE, 1);
    if (r < 0) {
      rc = (err == EACCES || err == EAGAIN) ? SQLITE_BUSY : SQLITE_IOERR_LOCK;
      goto out;
    }
    p->eFileLock = SQLITE_LOCK_SHARED;
    in->nLock++;
    in->nShared = 1;
  } else if (level == SQLITE_LOCK_EXCLUSIVE && in->nShared > 1) {
    /* Other connections of this process still read. */
    rc = SQLITE_BUSY;
  } else {
    int r;
    if (level == SQLITE_LOCK_RESERVED) {
      r = posix_lock(p->fd, F_WRLCK, SHALE_RESERVED_BYTE, 1);
    } else {
      r = posix_lock(p->fd, F_WRLCK, SHALE_SHARED_FIRST, SHALE_SHARED_SIZE);
    }
    if (r < 0) {
      rc = (errno == EACCES || errno == EAGAIN) ? SQLITE_BUSY : SQLITE_IOERR_LOCK;
    }
  }
  if (rc == SQLITE_OK) {
    p->eFileLock = level;
    in->eFileLock = level;
  } else if (level == SQLITE_LOCK_EXCLUSIVE) {
    /* We hold the PENDING byte now: no new readers get in. */
    p->eFileLock = SQLITE_LOCK_PENDING;
    in->eFileLock = SQLITE_LOCK_PENDING;
  }
out:
  pthread_mutex_unlock(&inode_mutex);
  return rc;
}

static void close_deferred(UnixInode *in) {
  for (int i = 0; i < in->nDeferred; i++) close(in->aDeferred[i]);
  sqlite3_free(in->aDeferred);
  in->aDeferred = NULL;
  in->nDeferred = 0;
}

static int unix_unlock(ShaleFile *f, int level) {
  UnixFile *p = (UnixFile *)f;
  UnixInode *in = p->inode;
  int rc = SQLITE_OK;
  if (p->eFileLock <= level) return SQLITE_OK;
  if (in == NULL) {
    p->eFileLock = level;
    return SQLITE_OK;
  }
  pthread_mutex_lock(&inode_mutex);
  if (p->eFileLock > SQLITE_LOCK_SHARED) {
    if (level == SQLITE_LOCK_SHARED) {
      if (posix_lock(p->fd, F_RDLCK, SHALE_SHARED_FIRST, SHALE_SHARED_SIZE) < 0) {
        rc = SQLITE_IOERR_RDLOCK;
        goto out;
      }
    }
    if (posix_lock(p->fd, F_UNLCK, SHALE_PENDING_BYTE, 2) < 0) {
      rc = SQLITE_IOERR_UNLOCK;
      goto out;
    }
    in->eFileLock = SQLITE_LOCK_SHARED;
  }
  if (level == SQLITE_LOCK_NONE) {
    in->nShared--;
    if (in->nShared == 0) {
      posix_lock(p->fd, F_UNLCK, SHALE_PENDING_BYTE, SHALE_SHARED_SIZE + 2);
      in->eFileLock = SQLITE_LOCK_NONE;
    }
    in->nLock--;
    if (in->nLock == 0) close_deferred(in);
  }
out:
  if (rc == SQLITE_OK) p->eFileLock = level;
  pthread_mutex_unlock(&inode_mutex);
  return rc;
}

static int unix_check_reserved_lock(ShaleFile *f, int *out) {
  UnixFile *p = (UnixFile *)f;
  UnixInode *in = p->inode;
  *out = 0;
  if (in == NULL) return SQLITE_OK;
  pthread_mutex_lock(&inode_mutex);
  if (in->eFileLock > SQLITE_LOCK_SHARED) {
    *out = 1;
  } else {
    struct flock l;
    memset(&l, 0, sizeof(l));
    l.l_type = F_WRLCK;
    l.l_whence = SEEK_SET;
    l.l_start = SHALE_RESERVED_BYTE;
    l.l_len = 1;
    if (fcntl(p->fd, F_GETLK, &l) < 0) {
      pthread_mutex_unlock(&inode_mutex);
      return SQLITE_IOERR_CHECKRESERVEDLOCK;
    }
    if (l.l_type != F_UNLCK) *out = 1;
  }
  pthread_mutex_unlock(&inode_mutex);
  return SQLITE_OK;
}

static int unix_file_control(ShaleFile *f, int op, void *arg) {
  UnixFile *p = (UnixFile *)f;
  switch (op) {
    case SQLITE_FCNTL_LOCKSTATE:
      *(int *)arg = p->eFileLock;
      return SQLITE_OK;
    case SQLITE_FCNTL_VFSNAME:
      *(char **)arg = shale_strdup("unix");
      return SQLITE_OK;
    case SQLITE_FCNTL_SIZE_HINT:
    case SQLITE_FCNTL_CHUNK_SIZE:
    case SQLITE_FCNTL_SYNC:
    case SQLITE_FCNTL_COMMIT_PHASETWO:
      return SQLITE_OK;
    case SQLITE_FCNTL_HAS_MOVED: {
      struct stat st;
      *(int *)arg = (p->path && (stat(p->path, &st) != 0 || st.st_nlink == 0));
      return SQLITE_OK;
    }
    default:
      return SQLITE_NOTFOUND;
  }
}

static int unix_sector_size(ShaleFile *f) {
  SHALE_UNUSED(f);
  return 4096;
}

static int unix_device_characteristics(ShaleFile *f) {
  SHALE_UNUSED(f);
  return SQLITE_IOCAP_POWERSAFE_OVERWRITE;
}

/* ---------------------------------------------------- shm forwarding --- */

static int fwd_shm_map(ShaleFile *f, int region, int region_size, int extend,
                       void volatile **pp) {
  return shale_unix_shm_map(f, region, region_size, extend, pp);
}
static int fwd_shm_lock(ShaleFile *f, int offset, int n, int flags) {
  return shale_unix_shm_lock(f, offset, n, flags);
}
static void fwd_shm_barrier(ShaleFile *f) {
  shale_unix_shm_barrier(f);
}
static int fwd_shm_unmap(ShaleFile *f, int delete_flag) {
  return shale_unix_shm_unmap(f, delete_flag);
}

/* --------------------------------------------------------- open/close --- */

static void inode_release(UnixFile *p) {
  /* caller holds inode_mutex */
  UnixInode *in = p->inode;
  if (in == NULL) return;
  p->inode = NULL;
  if (--in->nRef > 0) return;
  close_deferred(in);
  UnixInode **pp = &inode_list;
  while (*pp && *pp != in) pp = &(*pp)->next;
  if (*pp) *pp = in->next;
  sqlite3_free(in);
}

static int unix_close(ShaleFile *f) {
  UnixFile *p = (UnixFile *)f;
  if (p->shm) shale_unix_shm_unmap(f, 0);
  if (p->eFileLock > SQLITE_LOCK_NONE) unix_unlock(f, SQLITE_LOCK_NONE);
  pthread_mutex_lock(&inode_mutex);
  if (p->inode && p->inode->nLock > 0) {
    /* Closing now would drop the locks other connections hold. */
    UnixInode *in = p->inode;
    int *a = sqlite3_realloc64(in->aDeferred, sizeof(int) * (u64)(in->nDeferred + 1));
    if (a) {
      in->aDeferred = a;
      a[in->nDeferred++] = p->fd;
    } else {
      close(p->fd);
    }
  } else {
    close(p->fd);
  }
  if ((p->flags & SQLITE_OPEN_DELETEONCLOSE) && p->path) unlink(p->path);
  inode_release(p);
  pthread_mutex_unlock(&inode_mutex);
  sqlite3_free(p->path);
  sqlite3_free(p);
  return SQLITE_OK;
}

static const ShaleFileMethods unix_methods = {
    unix_close,         unix_read,          unix_write,
    unix_truncate,      unix_sync,          unix_file_size,
    unix_lock,          unix_unlock,        unix_check_reserved_lock,
    unix_file_control,  unix_sector_size,   unix_device_characteristics,
    NULL,               NULL,               NULL,
    NULL};

static const ShaleFileMethods unix_methods_shm = {
    unix_close,         unix_read,          unix_write,
    unix_truncate,      unix_sync,          unix_file_size,
    unix_lock,          unix_unlock,        unix_check_reserved_lock,
    unix_file_control,  unix_sector_size,   unix_device_characteristics,
    fwd_shm_map,        fwd_shm_lock,       fwd_shm_barrier,
    fwd_shm_unmap};

static int unix_full_pathname(ShaleVfs *vfs, const char *path, int n_out, char *out);

static int unix_open(ShaleVfs *vfs, const char *path, int flags, ShaleFile **out,
                     int *out_flags) {
  UnixFile *p;
  int fd = -1;
  char tmpl[64];
  char full[4096];
  *out = NULL;
  p = shale_malloc_zero(sizeof(*p));
  if (p == NULL) return SQLITE_NOMEM;
  if (path == NULL) {
    /* Anonymous temporary file: created and unlinked at once. */
    const char *dir = getenv("TMPDIR");
    if (dir == NULL || strlen(dir) > 40) dir = "/tmp";
    snprintf(tmpl, sizeof(tmpl), "%s/shale_tmp_XXXXXX", dir);
    fd = mkostemp(tmpl, O_CLOEXEC);
    if (fd < 0) {
      sqlite3_free(p);
      return SQLITE_CANTOPEN;
    }
    unlink(tmpl);
    flags |= SQLITE_OPEN_READWRITE;
  } else {
    int rc = unix_full_pathname(vfs, path, (int)sizeof(full), full);
    if (rc != SQLITE_OK) {
      sqlite3_free(p);
      return rc;
    }
    int oflags = O_CLOEXEC;
    if (flags & SQLITE_OPEN_READWRITE) oflags |= O_RDWR;
    else oflags |= O_RDONLY;
    if (flags & SQLITE_OPEN_CREATE) oflags |= O_CREAT;
    if (flags & SQLITE_OPEN_EXCLUSIVE) oflags |= O_EXCL;
    if (flags & SQLITE_OPEN_NOFOLLOW) oflags |= O_NOFOLLOW;
    do {
      fd = open(full, oflags, 0644);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0 && (flags & SQLITE_OPEN_READWRITE) && errno != EISDIR &&
        errno != ENOENT && errno != EEXIST) {
      /* Fall back to read-only, as SQLite does. */
      fd = open(full, O_RDONLY | O_CLOEXEC);
      if (fd >= 0) {
        flags &= ~(SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        flags |= SQLITE_OPEN_READONLY;
      }
    }
    if (fd < 0) {
      sqlite3_free(p);
      return SQLITE_CANTOPEN;
    }
    p->path = shale_strdup(full);
    if (p->path == NULL) {
      close(fd);
      sqlite3_free(p);
      return SQLITE_NOMEM;
    }
    if ((flags & SQLITE_OPEN_MAIN_JOURNAL) && (flags & SQLITE_OPEN_CREATE)) {
      p->dirSyncPending = 1;
    }
    /* Register the inode (only for files others may open). */
    struct stat st;
    if (fstat(fd, &st) == 0) {
      pthread_mutex_lock(&inode_mutex);
      UnixInode *in = inode_list;
      while (in && !(in->dev == st.st_dev && in->ino == st.st_ino)) in = in->next;
      if (in == NULL) {
        in = shale_malloc_zero(sizeof(*in));
        if (in) {
          in->dev = st.st_dev;
          in->ino = st.st_ino;
          in->next = inode_list;
          inode_list = in;
        }
      }
      if (in) in->nRef++;
      p->inode = in;
      pthread_mutex_unlock(&inode_mutex);
    }
  }
  p->fd = fd;
  p->flags = flags;
  p->base.methods = (p->inode != NULL) ? &unix_methods_shm : &unix_methods;
  p->base.vfs = vfs;
  if (out_flags) *out_flags = flags;
  *out = &p->base;
  return SQLITE_OK;
}

int shale_unix_file_fd(ShaleFile *f) { return ((UnixFile *)f)->fd; }
void shale_unix_file_id(ShaleFile *f, u64 *dev, u64 *ino) {
  UnixFile *p = (UnixFile *)f;
  struct stat st;
  *dev = 0;
  *ino = 0;
  if (p->inode) {
    *dev = (u64)p->inode->dev;
    *ino = (u64)p->inode->ino;
  } else if (fstat(p->fd, &st) == 0) {
    *dev = (u64)st.st_dev;
    *ino = (u64)st.st_ino;
  }
}
const char *shale_unix_file_path(ShaleFile *f) { return ((UnixFile *)f)->path; }
void **shale_unix_file_shm_slot(ShaleFile *f) { return &((UnixFile *)f)->shm; }

static int unix_remove(ShaleVfs *vfs, const char *path, int sync_dir) {
  SHALE_UNUSED(vfs);
  if (unlink(path) < 0) {
    if (errno == ENOENT) return SQLITE_IOERR_DELETE_NOENT;
    return SQLITE_IOERR_DELETE;
  }
  if (sync_dir) sync_dir_of(path);
  return SQLITE_OK;
}

static int unix_access(ShaleVfs *vfs, const char *path, int flags, int *out) {
  SHALE_UNUSED(vfs);
  struct stat st;
  *out = 0;
  if (flags == SQLITE_ACCESS_EXISTS) {
    *out = (stat(path, &st) == 0 && (!S_ISREG(st.st_mode) || st.st_size > 0));
  } else {
    *out = access(path, flags == SQLITE_ACCESS_READWRITE ? (R_OK | W_OK) : R_OK) == 0;
  }
  return SQLITE_OK;
}

static int unix_full_pathname(ShaleVfs *vfs, const char *path, int n_out, char *out) {
  SHALE_UNUSED(vfs);
  if (path[0] == '/') {
    if ((int)strlen(path) >= n_out) return SQLITE_CANTOPEN;
    strcpy(out, path);
    return SQLITE_OK;
  }
  char cwd[4096];
  if (getcwd(cwd, sizeof(cwd)) == NULL) return SQLITE_CANTOPEN;
  if ((int)(strlen(cwd) + strlen(path) + 2) > n_out) return SQLITE_CANTOPEN;
  snprintf(out, (size_t)n_out, "%s/%s", cwd, path);
  return SQLITE_OK;
}

static int unix_randomness(ShaleVfs *vfs, int n, char *out) {
  SHALE_UNUSED(vfs);
  int got = 0;
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    while (got < n) {
      ssize_t r = read(fd, out + got, (size_t)(n - got));
      if (r <= 0) break;
      got += (int)r;
    }
    close(fd);
  }
  if (got < n) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    u64 x = (u64)tv.tv_sec * 1000003u ^ (u64)tv.tv_usec ^ (u64)getpid() << 20;
    for (; got < n; got++) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      out[got] = (char)(x >> 33);
    }
  }
  return n;
}

static int unix_sleep(ShaleVfs *vfs, int us) {
  SHALE_UNUSED(vfs);
  struct timespec ts;
  ts.tv_sec = us / 1000000;
  ts.tv_nsec = (long)(us % 1000000) * 1000;
  nanosleep(&ts, NULL);
  return us;
}

static int unix_current_time_ms(ShaleVfs *vfs, i64 *ms) {
  SHALE_UNUSED(vfs);
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  *ms = (i64)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
  return SQLITE_OK;
}

static int unix_poll(ShaleVfs *vfs, int wait) {
  SHALE_UNUSED(vfs);
  SHALE_UNUSED(wait);
  return 0; /* everything completes inline */
}

static ShaleVfs unix_vfs = {
    "unix",         NULL,           4096,        unix_open,
    unix_remove,    unix_access,    unix_full_pathname,
    unix_randomness, unix_sleep,    unix_current_time_ms,
    unix_poll,      NULL};

ShaleVfs *shale_vfs_unix_object(void) { return &unix_vfs; }
