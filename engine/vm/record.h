/*
** record.h — SQLite's record format (fileformat2.html "Record Format"):
** encoding, decoding and comparison of records.  Exported for the SQL layer
** (schema loading) as well as used by the VM.
*/
#ifndef SHALE_RECORD_H
#define SHALE_RECORD_H

#include "value.h"
#include "vdbe.h"

/* Bytes of the body for serial type t. */
u32 record_serial_len(u32 t);
/* Serial type for a value (file_format >= 4 allows types 8 and 9). */
u32 record_serial_type(const Mem *m, int file_format);
/* Decode one field of serial type t from buf (avail bytes) into out (text
** copied; converted to UTF-8 from enc).  Returns bytes consumed or -1. */
int record_field_get(const u8 *buf, u32 avail, u32 t, u8 enc, Mem *out);

/* Build a record of n values into *out (a Mem set to a BLOB).  Text is
** written in `enc`.  Returns SQLITE_OK / SQLITE_NOMEM / SQLITE_TOOBIG. */
int record_make(const Mem *vals, int n, int file_format, u8 enc, Mem *out);

/* Decode up to max_fields fields of a record into out[] (caller-initialised
** Mems); *n_out = number of fields in the record (may exceed max_fields).
** Returns SQLITE_OK or SQLITE_CORRUPT. */
int record_decode(const u8 *rec, int n, u8 enc, Mem *out, int max_fields, int *n_out);

/* The same, but text/blob values point into rec (MEM_Static) when the
** encoding is UTF-8: valid only while rec is. */
int record_decode_static(const u8 *rec, int n, u8 enc, Mem *out, int max_fields, int *n_out);

/* Key to search for in an index: values compared field by field. */
typedef struct UnpackedRecord {
  KeyInfo *key_info;
  Mem *fields;
  u16 n_field;
  signed char default_rc; /* result when all n_field fields are equal */
  u8 enc;
  u8 corrupt;             /* set if an entry failed to parse */
} UnpackedRecord;

/* Compare record rec (n bytes) against key: <0, 0, >0 as rec <, =, > key. */
int record_compare(const u8 *rec, int n, UnpackedRecord *key);
/* The same as a BtreeKeyCompare: arg is an UnpackedRecord*. */
int record_compare_cb(void *arg, const void *entry_key, int n_entry_key);
/* Unpack a record into key->fields (up to max fields); sets key->n_field. */
int record_unpack(const u8 *rec, int n, u8 enc, UnpackedRecord *key, int max);
/* Compare two records under a KeyInfo (sorter, ephemeral indexes). */
int record_compare_records(KeyInfo *ki, const u8 *a, int na, const u8 *b, int nb, u8 enc);
/* The same, for records whose first `first` fields are known to be equal. */
int record_compare_records_from(KeyInfo *ki, const u8 *a, int na, const u8 *b, int nb, u8 enc, int first);

#endif
