/*
** sorter.h — the external merge sorter behind OP_SorterOpen & co.
** Records are kept in memory up to a limit; beyond it sorted runs are
** written to an anonymous temporary file through the VFS and merged k ways.
** Every call that does I/O may return SHALE_PENDING with its progress kept
** in the Sorter, and is simply called again.
*/
#ifndef SHALE_SORTER_H
#define SHALE_SORTER_H

#include "../util/common.h"
#include "../vfs/vfs.h"

typedef struct Sorter Sorter;
struct KeyInfo;

Sorter *sorter_new(ShaleVfs *vfs, struct KeyInfo *ki, u8 enc, i64 mem_limit);
void sorter_free(Sorter *);
void sorter_reset(Sorter *);
/* Add a record (copied).  may PENDING (spilling a run). */
int sorter_insert(Sorter *, const void *rec, int n);
/* Sort; *empty set if no rows.  Positions on the first row.  may PENDING. */
int sorter_sort(Sorter *, int *empty);
/* Advance; SQLITE_DONE at end.  may PENDING. */
int sorter_next(Sorter *);
/* Current record (valid until the next call). */
const void *sorter_data(Sorter *, int *n);
/* Rows spilled to disk so far (for tests). */
int sorter_n_runs(Sorter *);

#endif
