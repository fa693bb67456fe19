/*
** fuzz_parser.c — libFuzzer target for the SQL tokenizer and parser.
** Build and run (about a minute):
**   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
**     -Iengine/include -Itests/unit tests/fuzz/fuzz_parser.c \
**     engine/sql/tokenize.c engine/sql/parse*.c engine/sql/ast.c \
**     $(ls engine/util/[a-z]*.c) -lpthread -lm -o build/fuzz_parser
**   ./build/fuzz_parser -max_total_time=60 -max_len=4096
** Each input is parsed statement by statement (following ParseResult.tail);
** every tree is deep-copied and both copies are rendered and compared, then
** freed.  sql_complete() and sql_is_keyword() run on the same bytes.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "parser_dump.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 100000) return 0;
  const char *z = (const char *)data;
  int n = (int)size;
  int guard = 0;
  while (n > 0 && guard++ < 64) {
    ParseResult r;
    int rc = sql_parse(z, n, &r);
    if (rc == SQLITE_OK && r.stmt) {
      Stmt *c = ast_dup_stmt(r.stmt);
      if (c) {
        char *a = dump_stmt(r.stmt), *b = dump_stmt(c);
        if (strcmp(a, b) != 0) abort();
        free(a);
        free(b);
        ast_free_stmt(c);
      }
    }
    if (rc != SQLITE_OK && r.err == NULL) abort();
    const char *tail = r.tail;
    parse_result_clear(&r);
    if (rc != SQLITE_OK || tail == NULL || tail <= z || tail > z + n) break;
    n -= (int)(tail - z);
    z = tail;
  }
  char *copy = malloc(size + 1);
  if (copy) {
    memcpy(copy, data, size);
    copy[size] = 0;
    (void)sql_complete(copy);
    (void)sql_is_keyword(copy, (int)strnlen(copy, size));
    free(copy);
  }
  return 0;
}
