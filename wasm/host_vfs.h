/*
** host_vfs.h — the "host" VFS of the WebAssembly builds (host_vfs.c): the
** embedder executes file I/O requests taken from a queue.
*/
#ifndef SHALE_WASM_HOST_VFS_H
#define SHALE_WASM_HOST_VFS_H

#include "vfs.h" /* engine/vfs, via -I */

/* Request kinds in shale_w_next_request()'s descriptor. */
#define HOST_REQ_READ 1
#define HOST_REQ_WRITE 2
#define HOST_REQ_TRUNCATE 3
#define HOST_REQ_SYNC 4
#define HOST_REQ_CLOSE 5
#define HOST_REQ_REMOVE 6

ShaleVfs *shale_vfs_host_object(void);

/* Marks a function as a wasm export under its own name. */
#define EXPORT(name) __attribute__((export_name(#name), used)) name

/* Seed/update the file table: size >= 0 means the file exists with that
** size; size < 0 means it does not exist.  Returns the file id. */
int shale_w_host_set_file(const char *name, double size);
/* Mirror the file's first n bytes (n <= 64 KiB) so reads there are inline. */
int shale_w_host_set_prefix(const char *name, const void *data, int n);
/* Tracked size, or -1 when the file does not exist. */
double shale_w_host_file_size(const char *name);
int shale_w_host_file_id(const char *name);
const char *shale_w_host_file_name(int id);
int shale_w_host_file_open_count(const char *name);
/* Strongest lock held on the file by this instance's handles (0 = none). */
int shale_w_host_lock_level(const char *name);
/* Next submitted request, or NULL: int[8] = {id, kind, file id, offset low,
** offset high, length (flags for sync), buffer pointer, 0}.  The request
** moves to the "taken" set until shale_w_complete(id, rc). */
int *shale_w_next_request(void);
int shale_w_complete(int id, int rc);
/* 1 while a taken request's buffer may be used; 0 once its file closed
** (the host must then neither copy into nor read from the buffer). */
int shale_w_request_live(int id);
/* Requests submitted and not yet completed-and-polled. */
int shale_w_host_outstanding(void);
/* Run posted completions (the engine's poll does the same). */
int shale_w_host_poll(void);

#endif
