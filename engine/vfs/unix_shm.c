/*
** unix_shm.c — POSIX WAL-index shared memory (the -shm file), laid out and
** locked exactly like SQLite's unix VFS.  See unix_shm.h.
*/
#include "unix_shm.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define SHM_LOCK_BASE 120 /* byte of the first WAL lock in the -shm file */
#define SHM_DMS (SHM_LOCK_BASE + SQLITE_SHM_NLOCK) /* dead-man switch: 128 */

typedef struct ShmNode ShmNode;

struct ShmNode {
  ShmNode *next;       /* registry list */
  char *path;          /* the -shm file */
  dev_t dev;
  ino_t ino;
  int fd;
  int n_ref;           /* connections attached */
  pthread_mutex_t mu;  /* protects the fields below */
  int region_size;
  int n_region;
  void **regions;      /* mmap()ed regions (NULL: not mapped yet) */
  UnixShm *excl[SQLITE_SHM_NLOCK]; /* in-process exclusive owner */
  int n_shared[SQLITE_SHM_NLOCK];  /* in-process shared holders */
};

struct UnixShm {
  ShmNode *node;
  u8 shared_mask;
  u8 excl_mask;
};

/* The per-process table of -shm nodes (open-file registry exception). */
static pthread_mutex_t shm_registry_mu = PTHREAD_MUTEX_INITIALIZER;
static ShmNode *shm_registry;

static int posix_lock(int fd, short type, int ofs, int n) {
  struct flock fl;
  memset(&fl, 0, sizeof(fl));
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = ofs;
  fl.l_len = n;
  for (;;) {
    if (fcntl(fd, F_SETLK, &fl) == 0) return SQLITE_OK;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EACCES) return SQLITE_BUSY;
    return SQLITE_IOERR_SHMLOCK;
  }
}

/* First attachment of this process: take part in the DMS protocol. */
static int shm_dms_init(ShmNode *nd) {
  struct flock fl;
  memset(&fl, 0, sizeof(fl));
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  fl.l_start = SHM_DMS;
  fl.l_len = 1;
  if (fcntl(nd->fd, F_GETLK, &fl) != 0) return SQLITE_IOERR_SHMOPEN;
  if (fl.l_type == F_WRLCK) return SQLITE_BUSY; /* someone is initialising */
  if (fl.l_type == F_UNLCK) {
    /* Nobody else uses the -shm: try to become the one that resets it. */
    if (posix_lock(nd->fd, F_WRLCK, SHM_DMS, 1) == SQLITE_OK) {
      if (ftruncate(nd->fd, 3) != 0) return SQLITE_IOERR_SHMOPEN;
    }
  }
  int rc = posix_lock(nd->fd, F_RDLCK, SHM_DMS, 1);
  return rc == SQLITE_OK ? SQLITE_OK : (rc == SQLITE_BUSY ? SQLITE_BUSY : SQLITE_IOERR_SHMOPEN);
}

static void node_free(ShmNode *nd) {
  if (nd->regions) {
    for (int i = 0; i < nd->n_region; i++)
      if (nd->regions[i]) munmap(nd->regions[i], (size_t)nd->region_size);
    sqlite3_free(nd->regions);
  }
  if (nd->fd >= 0) close(nd->fd);
  pthread_mutex_destroy(&nd->mu);
  sqlite3_free(nd->path);
  sqlite3_free(nd);
}

/* Attach a connection to the -shm node of db_path (registry mutex held). */
static int shm_attach(UnixShm **pp, const char *db_path) {
  size_t n = strlen(db_path);
  char *path = sqlite3_malloc64(n + 5);
  if (!path) return SQLITE_NOMEM;
  memcpy(path, db_path, n);
  memcpy(path + n, "-shm", 5);
  UnixShm *p = shale_malloc_zero(sizeof(*p));
  if (!p) {
    sqlite3_free(path);
    return SQLITE_NOMEM;
  }
  struct stat st;
  ShmNode *nd = NULL;
  if (stat(path, &st) == 0) {
    for (nd = shm_registry; nd; nd = nd->next)
      if (nd->dev == st.st_dev && nd->ino == st.st_ino) break;
  }
  if (nd == NULL) {
    for (nd = shm_registry; nd; nd = nd->next)
      if (strcmp(nd->path, path) == 0) break;
  }
  if (nd) {
    sqlite3_free(path);
  } else {
    nd = shale_malloc_zero(sizeof(*nd));
    if (!nd) {
      sqlite3_free(path);
      sqlite3_free(p);
      return SQLITE_NOMEM;
    }
    nd->path = path;
    nd->fd = -1;
    pthread_mutex_init(&nd->mu, NULL);
    nd->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (nd->fd < 0 || fstat(nd->fd, &st) != 0) {
      node_free(nd);
      sqlite3_free(p);
      return SQLITE_IOERR_SHMOPEN;
    }
    nd->dev = st.st_dev;
    nd->ino = st.st_ino;
    int rc = shm_dms_init(nd);
    if (rc != SQLITE_OK) {
      node_free(nd);
      sqlite3_free(p);
      return rc;
    }
    nd->next = shm_registry;
    shm_registry = nd;
  }
  nd->n_ref++;
  p->node = nd;
  *pp = p;
  return SQLITE_OK;
}

int unix_shm_map(UnixShm **pp, const char *db_path, int region,
                 int region_size, int extend, void volatile **out) {
  *out = NULL;
  if (*pp == NULL) {
    pthread_mutex_lock(&shm_registry_mu);
    int rc = shm_attach(pp, db_path);
    pthread_mutex_unlock(&shm_registry_mu);
    if (rc != SQLITE_OK) return rc;
  }
  ShmNode *nd = (*pp)->node;
  int rc = SQLITE_OK;
  pthread_mutex_lock(&nd->mu);
  if (nd->region_size == 0) nd->region_size = region_size;
  if (nd->region_size != region_size) {
    rc = SQLITE_IOERR_SHMMAP;
    goto done;
  }
  if (region < nd->n_region && nd->regions[region]) {
    *out = nd->regions[region];
    goto done;
  }
  {
    struct stat st;
    i64 need = (i64)(region + 1) * region_size;
    if (fstat(nd->fd, &st) != 0) {
      rc = SQLITE_IOERR_SHMSIZE;
      goto done;
    }
    if (st.st_size < need) {
      if (!extend) goto done;
      /* Allocate real blocks (write one byte per 4 KiB) so that a full
      ** disk is an error here, not a SIGBUS later. */
      for (i64 off = (st.st_size / 4096) * 4096 + 4095; off < need; off += 4096) {
        if (off < st.st_size) continue;
        if (pwrite(nd->fd, "", 1, off) != 1) {
          rc = SQLITE_IOERR_SHMSIZE;
          goto done;
        }
      }
      if (ftruncate(nd->fd, need) != 0) {
        rc = SQLITE_IOERR_SHMSIZE;
        goto done;
      }
    }
    if (region >= nd->n_region) {
      void **a = sqlite3_realloc64(nd->regions, sizeof(void *) * (u64)(region + 1));
      if (!a) {
        rc = SQLITE_NOMEM;
        goto done;
      }
      for (int i = nd->n_region; i <= region; i++) a[i] = NULL;
      nd->regions = a;
      nd->n_region = region + 1;
    }
    void *m = mmap(NULL, (size_t)region_size, PROT_READ | PROT_WRITE, MAP_SHARED,
                   nd->fd, (off_t)region * region_size);
    if (m == MAP_FAILED) {
      rc = SQLITE_IOERR_SHMMAP;
      goto done;
    }
    nd->regions[region] = m;
    *out = m;
  }
done:
  pthread_mutex_unlock(&nd->mu);
  return rc;
}

/* Release p's hold on the lock slots in mask (node mutex held). */
static int shm_release(UnixShm *p, u8 mask) {
  ShmNode *nd = p->node;
  int rc = SQLITE_OK;
  for (int i = 0; i < SQLITE_SHM_NLOCK; i++) {
    u8 bit = (u8)(1u << i);
    if (!(mask & bit)) continue;
    if (p->excl_mask & bit) {
      p->excl_mask &= (u8)~bit;
      nd->excl[i] = NULL;
      if (nd->n_shared[i] == 0)
        rc |= posix_lock(nd->fd, F_UNLCK, SHM_LOCK_BASE + i, 1);
    } else if (p->shared_mask & bit) {
      p->shared_mask &= (u8)~bit;
      if (--nd->n_shared[i] == 0 && nd->excl[i] == NULL)
        rc |= posix_lock(nd->fd, F_UNLCK, SHM_LOCK_BASE + i, 1);
    }
  }
  return rc ? SQLITE_IOERR_UNLOCK : SQLITE_OK;
}

int unix_shm_lock(UnixShm *p, int offset, int n, int flags) {
  if (p == NULL || offset < 0 || n < 1 || offset + n > SQLITE_SHM_NLOCK)
    return SQLITE_MISUSE;
  ShmNode *nd = p->node;
  u8 mask = (u8)(((1u << (offset + n)) - 1) & ~((1u << offset) - 1));
  int rc = SQLITE_OK;
  pthread_mutex_lock(&nd->mu);
  if (flags & SQLITE_SHM_UNLOCK) {
    rc = shm_release(p, mask);
  } else if (flags & SQLITE_SHM_SHARED) {
    for (int i = offset; i < offset + n && rc == SQLITE_OK; i++) {
      u8 bit = (u8)(1u << i);
      if (p->shared_mask & bit) continue;
      if (nd->excl[i] != NULL) {
        rc = (nd->excl[i] == p) ? SQLITE_OK : SQLITE_BUSY;
        continue;
      }
      if (nd->n_shared[i] == 0) rc = posix_lock(nd->fd, F_RDLCK, SHM_LOCK_BASE + i, 1);
      if (rc == SQLITE_OK) {
        nd->n_shared[i]++;
        p->shared_mask |= bit;
      }
    }
  } else {
    for (int i = offset; i < offset + n; i++) {
      if (nd->excl[i] == p) continue;
      int others = nd->n_shared[i] - ((p->shared_mask >> i) & 1);
      if (nd->excl[i] != NULL || others > 0) {
        rc = SQLITE_BUSY;
        break;
      }
    }
    if (rc == SQLITE_OK) rc = posix_lock(nd->fd, F_WRLCK, SHM_LOCK_BASE + offset, n);
    if (rc == SQLITE_OK) {
      for (int i = offset; i < offset + n; i++) {
        u8 bit = (u8)(1u << i);
        if (p->shared_mask & bit) {
          p->shared_mask &= (u8)~bit;
          nd->n_shared[i]--;
        }
        nd->excl[i] = p;
      }
      p->excl_mask |= mask;
    }
  }
  pthread_mutex_unlock(&nd->mu);
  return rc;
}

void unix_shm_barrier(UnixShm *p) {
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  if (p) {
    pthread_mutex_lock(&p->node->mu);
    pthread_mutex_unlock(&p->node->mu);
  }
}

int unix_shm_unmap(UnixShm **pp, int delete_flag) {
  UnixShm *p = *pp;
  if (p == NULL) return SQLITE_OK;
  ShmNode *nd = p->node;
  pthread_mutex_lock(&shm_registry_mu);
  pthread_mutex_lock(&nd->mu);
  shm_release(p, (u8)(p->shared_mask | p->excl_mask));
  pthread_mutex_unlock(&nd->mu);
  if (--nd->n_ref == 0) {
    ShmNode **q = &shm_registry;
    while (*q && *q != nd) q = &(*q)->next;
    if (*q) *q = nd->next;
    if (delete_flag) unlink(nd->path);
    node_free(nd);
  }
  pthread_mutex_unlock(&shm_registry_mu);
  sqlite3_free(p);
  *pp = NULL;
  return SQLITE_OK;
}

/* ---- the ShaleFile-level entry points vfs_unix.c forwards to ---- */
#include "vfs_unix.h"

int shale_unix_shm_map(ShaleFile *f, int region, int region_size, int extend,
                       void volatile **pp) {
  const char *path = shale_unix_file_path(f);
  if (path == NULL) return SQLITE_IOERR_SHMOPEN;
  return unix_shm_map((UnixShm **)shale_unix_file_shm_slot(f), path, region,
                      region_size, extend, pp);
}

int shale_unix_shm_lock(ShaleFile *f, int offset, int n, int flags) {
  return unix_shm_lock(*(UnixShm **)shale_unix_file_shm_slot(f), offset, n, flags);
}

void shale_unix_shm_barrier(ShaleFile *f) {
  unix_shm_barrier(*(UnixShm **)shale_unix_file_shm_slot(f));
}

int shale_unix_shm_unmap(ShaleFile *f, int delete_flag) {
  return unix_shm_unmap((UnixShm **)shale_unix_file_shm_slot(f), delete_flag);
}
