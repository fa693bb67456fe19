/*
** random.c — sqlite3_randomness(): the library's pseudo-random generator.
**
** Documented global state (the one piece in the func layer): a ChaCha20
** keystream generator, seeded from getentropy() (or /dev/urandom) on first use (and again when
** called with N<1 or P==NULL, as SQLite's documentation allows), protected by
** a process-wide pthread mutex so any thread may call it at any time.
*/
#include "../util/common.h"
#include <fcntl.h>
#include <sys/random.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

typedef struct Prng {
  u32 key[16];  /* ChaCha20 input state */
  u8 out[64];   /* current keystream block */
  int avail;    /* unread bytes at the end of out[] */
  int seeded;
} Prng;

static pthread_mutex_t prng_mutex = PTHREAD_MUTEX_INITIALIZER;
static Prng prng; /* guarded by prng_mutex */

#define ROTL(a, b) (((a) << (b)) | ((a) >> (32 - (b))))
#define QR(a, b, c, d)                                                       \
  (a += b, d ^= a, d = ROTL(d, 16), c += d, b ^= c, b = ROTL(b, 12),         \
   a += b, d ^= a, d = ROTL(d, 8), c += d, b ^= c, b = ROTL(b, 7))

static void chacha_block(Prng *p) {
  u32 x[16];
  memcpy(x, p->key, sizeof(x));
  for (int i = 0; i < 10; i++) {
    QR(x[0], x[4], x[8], x[12]);
    QR(x[1], x[5], x[9], x[13]);
    QR(x[2], x[6], x[10], x[14]);
    QR(x[3], x[7], x[11], x[15]);
    QR(x[0], x[5], x[10], x[15]);
    QR(x[1], x[6], x[11], x[12]);
    QR(x[2], x[7], x[8], x[13]);
    QR(x[3], x[4], x[9], x[14]);
  }
  for (int i = 0; i < 16; i++) {
    u32 v = x[i] + p->key[i];
    p->out[4 * i] = (u8)v;
    p->out[4 * i + 1] = (u8)(v >> 8);
    p->out[4 * i + 2] = (u8)(v >> 16);
    p->out[4 * i + 3] = (u8)(v >> 24);
  }
  if (++p->key[12] == 0) p->key[13]++;
  p->avail = 64;
}

static void prng_seed(Prng *p) {
  static const u32 sigma[4] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
  u8 seed[40];
  memset(seed, 0, sizeof(seed));
  int got = 0;
  /* getentropy() exists in glibc, musl, wasi-libc and emscripten. */
  if (getentropy(seed, sizeof(seed)) == 0) got = (int)sizeof(seed);
  int fd = got ? -1 : open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    while (got < (int)sizeof(seed)) {
      ssize_t r = read(fd, seed + got, sizeof(seed) - (size_t)got);
      if (r <= 0) break;
      got += (int)r;
    }
    close(fd);
  }
  if (got < (int)sizeof(seed)) {
    /* Fallback: time, pid and addresses; weak but never blocks. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    u64 mix[4] = {(u64)ts.tv_sec, (u64)ts.tv_nsec, (u64)getpid(), (u64)(uintptr_t)&ts};
    for (int i = 0; i < 32; i++) seed[i] ^= ((u8 *)mix)[i];
  }
  memcpy(p->key, sigma, sizeof(sigma));
  memcpy(&p->key[4], seed, 32);
  p->key[12] = 0;
  p->key[13] = 0;
  memcpy(&p->key[14], seed + 32, 8);
  p->avail = 0;
  p->seeded = 1;
}

void sqlite3_randomness(int N, void *P) {
  pthread_mutex_lock(&prng_mutex);
  if (N <= 0 || P == NULL) {
    prng_seed(&prng);
    pthread_mutex_unlock(&prng_mutex);
    return;
  }
  if (!prng.seeded) prng_seed(&prng);
  u8 *out = P;
  while (N > 0) {
    if (prng.avail == 0) chacha_block(&prng);
    int n = N < prng.avail ? N : prng.avail;
    memcpy(out, prng.out + 64 - prng.avail, (size_t)n);
    memset(prng.out + 64 - prng.avail, 0, (size_t)n); /* no reuse */
    prng.avail -= n;
    out += n;
    N -= n;
  }
  pthread_mutex_unlock(&prng_mutex);
}
