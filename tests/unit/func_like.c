/*
** func_like.c — LIKE/GLOB matching, collations and the function registry.
**
** Matching is compared with the sqlite3 CLI (3.40.1) on a few thousand
** generated (pattern, string) pairs: the test writes
**   SELECT 'S' LIKE 'P', 'S' LIKE 'P' ESCAPE '!', 'S' GLOB 'P';
** per pair, runs `sqlite3 :memory: < script` once and compares.
*/
#include <unistd.h>
#include "testlib.h"
#include "func_mock.h"

static int ncalls_destroy;
static void destroy_cb(void *p) {
  (void)p;
  ncalls_destroy++;
}
static void dummy_fn(sqlite3_context *c, int n, sqlite3_value **v) {
  (void)n;
  (void)v;
  sqlite3_result_int(c, 99);
}
static int rev_cmp(void *a, int na, const void *x, int nb, const void *y) {
  (void)a;
  int n = na < nb ? na : nb;
  int c = memcmp(x, y, (size_t)n);
  return -(c ? c : na - nb);
}

static void list_cb(void *arg, const FuncDef *f, int builtin) {
  (void)f;
  ((int *)arg)[builtin]++;
}

static unsigned long long rng = 0x9E3779B97F4A7C15ULL;
static unsigned rnd(unsigned n) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (unsigned)(rng % n);
}

#define NPAIR 3000
static char pats[NPAIR][16], strs[NPAIR][16];

int main(void) {
  mock_db.enc = SQLITE_UTF8;
  /* Fixed cases. */
  CHECK(func_like_match((const u8 *)"a%", (const u8 *)"ABC", 0, 0));
  CHECK(!func_like_match((const u8 *)"a%", (const u8 *)"ABC", 0, 1));
  CHECK(func_like_match((const u8 *)"a!%", (const u8 *)"a%", '!', 0));
  CHECK(!func_like_match((const u8 *)"a!%", (const u8 *)"ab", '!', 0));
  CHECK(func_like_match((const u8 *)"_\xc3\xa9", (const u8 *)"x\xc3\xa9", 0, 0));
  CHECK(!func_like_match((const u8 *)"\xc3\xa9", (const u8 *)"\xc3\x89", 0, 0)); /* é vs É: ASCII folding only */
  CHECK(func_glob_match((const u8 *)"[a-c]*[!]", (const u8 *)"b12!"));
  CHECK(func_glob_match((const u8 *)"[^0-9]?", (const u8 *)"x1"));
  CHECK(!func_glob_match((const u8 *)"A*", (const u8 *)"abc"));
  CHECK_INT(sqlite3_strglob("*.c", "x.c"), 0);
  CHECK(sqlite3_strglob("*.c", "x.h") != 0);
  CHECK_INT(sqlite3_strlike("A%", "abc", 0), 0);
  CHECK(sqlite3_strlike("a\\%", "ab", '\\') != 0);

  /* Planner helper. */
  {
    int nc = -1;
    char wc[3];
    CHECK(func_like_info(func_find(&mock_db, "like", 2, NULL), &nc, wc) && nc == 1 && wc[0] == '%' &&
          wc[1] == '_' && wc[2] == 0);
    CHECK(func_like_info(func_find(&mock_db, "glob", 2, NULL), &nc, wc) && nc == 0 && wc[0] == '*' &&
          wc[1] == '?' && wc[2] == '[');
    CHECK(!func_like_info(func_find(&mock_db, "upper", 1, NULL), &nc, wc));
  }

  /* func_list */
  {
    int counts[2] = {0, 0};
    func_list(&mock_db, list_cb, counts);
    CHECK(counts[1] > 100); /* built-ins */
    CHECK_INT(counts[0], 0);
  }

  /* Collations. */
  CollSeq *bin = coll_find(&mock_db, NULL), *nc = coll_find(&mock_db, "nocase"),
          *rt = coll_find(&mock_db, "RTRIM");
  CHECK(bin && nc && rt && coll_find(&mock_db, "nosuch") == NULL);
  CHECK(coll_compare(bin, "abc", 3, "abd", 3) < 0);
  CHECK(coll_compare(bin, "ab", 2, "abc", 3) < 0);
  CHECK(coll_compare(bin, "B", 1, "a", 1) < 0);
  CHECK_INT(coll_compare(nc, "ABC", 3, "abc", 3), 0);
  CHECK(coll_compare(nc, "\xc3\x89", 2, "\xc3\xa9", 2) != 0);
  CHECK_INT(coll_compare(rt, "abc  ", 5, "abc", 3), 0);
  CHECK(coll_compare(rt, "abc ", 4, "abcd", 4) < 0);
  CHECK(coll_compare(rt, " abc", 4, "abc", 3) < 0);
  CHECK_INT(coll_register(&mock_db, "rev", SQLITE_UTF8, NULL, rev_cmp, destroy_cb), SQLITE_OK);
  CollSeq *rv = coll_find(&mock_db, "REV");
  CHECK(rv && coll_compare(rv, "a", 1, "b", 1) > 0);
  CHECK_INT(coll_register(&mock_db, "rev", SQLITE_UTF8, NULL, rev_cmp, NULL), SQLITE_OK);
  CHECK_INT(ncalls_destroy, 1); /* replaced: old destructor ran */
  CHECK_INT(coll_register(&mock_db, "rev", SQLITE_UTF8, NULL, NULL, NULL), SQLITE_OK);
  CHECK(coll_find(&mock_db, "rev") == NULL);
  CHECK_INT(coll_register(&mock_db, "rev16", SQLITE_UTF16, NULL, rev_cmp, NULL), SQLITE_OK);
  CHECK(coll_compare(coll_find(&mock_db, "rev16"), "a", 1, "b", 1) > 0);
  CHECK_INT(coll_register(&mock_db, "bad", 9, NULL, rev_cmp, NULL), SQLITE_MISUSE);
  /* NOCASE overridable by the application. */
  CHECK_INT(coll_register(&mock_db, "NOCASE", SQLITE_UTF8, NULL, rev_cmp, NULL), SQLITE_OK);
  CHECK(coll_find(&mock_db, "nocase")->x_cmp == rev_cmp);
  CHECK_INT(coll_register(&mock_db, "NOCASE", SQLITE_UTF8, NULL, NULL, NULL), SQLITE_OK);
  CHECK(coll_find(&mock_db, "nocase") == nc);

  /* Function registry. */
  ncalls_destroy = 0;
  CHECK_INT(func_register(&mock_db, "upper", 1, SQLITE_UTF8, 0, NULL, dummy_fn, NULL, NULL, NULL,
                          NULL, destroy_cb), SQLITE_OK);
  const FuncDef *f = func_find(&mock_db, "UPPER", 1, NULL);
  CHECK(f && f->x_func == dummy_fn);
  CHECK(func_find(&mock_db, "upper", 2, NULL) == NULL);
  CHECK_INT(func_register(&mock_db, "upper", -1, SQLITE_UTF8, 0, NULL, dummy_fn, NULL, NULL, NULL,
                          NULL, NULL), SQLITE_OK);
  CHECK(func_find(&mock_db, "upper", 1, NULL)->n_arg == 1); /* exact beats -1 */
  CHECK(func_find(&mock_db, "upper", 3, NULL)->n_arg == -1);
  CHECK_INT(func_register(&mock_db, "upper", 1, SQLITE_UTF8, 0, NULL, dummy_fn, NULL, NULL, NULL,
                          NULL, NULL), SQLITE_OK);
  CHECK_INT(ncalls_destroy, 1);
  mock_db.n_vdbe_active = 1;
  CHECK_INT(func_register(&mock_db, "upper", 1, SQLITE_UTF8, 0, NULL, dummy_fn, NULL, NULL, NULL,
                          NULL, NULL), SQLITE_BUSY);
  mock_db.n_vdbe_active = 0;
  /* delete both: the built-in comes back */
  CHECK_INT(func_register(&mock_db, "upper", 1, SQLITE_UTF8, 0, NULL, NULL, NULL, NULL, NULL, NULL,
                          NULL), SQLITE_OK);
  CHECK_INT(func_register(&mock_db, "upper", -1, SQLITE_UTF8, 0, NULL, NULL, NULL, NULL, NULL, NULL,
                          NULL), SQLITE_OK);
  f = func_find(&mock_db, "upper", 1, NULL);
  CHECK(f && (f->flags & FUNC_BUILTIN));
  CHECK_INT(func_register(&mock_db, "bad", 1, SQLITE_UTF8, 0, NULL, dummy_fn, dummy_fn, NULL, NULL,
                          NULL, destroy_cb), SQLITE_MISUSE);
  CHECK_INT(ncalls_destroy, 2); /* xDestroy runs on failure, as in SQLite */
  CHECK_INT(func_register(&mock_db, "agg", 1, SQLITE_UTF8, 0, NULL, NULL, dummy_fn,
                          (SqlFinalFn)destroy_cb, NULL, NULL, destroy_cb), SQLITE_OK);
  f = func_find(&mock_db, "agg", 1, NULL);
  CHECK(f && (f->flags & FUNC_AGGREGATE));
  int wrong = 0;
  CHECK(func_find(&mock_db, "agg", 2, &wrong) == NULL && wrong == 1);
  ncalls_destroy = 0;
  func_registry_clear(&mock_db);
  CHECK_INT(ncalls_destroy, 1);
  CHECK(func_find(&mock_db, "agg", 1, NULL) == NULL);

  /* Differential LIKE / GLOB. */
  static const char alpha[] = "aAbB%_*?[]^-!x\xc3\xa9";
  for (int i = 0; i < NPAIR; i++) {
    int lp = (int)rnd(6) + 1, ls = (int)rnd(6);
    int k = 0;
    for (int j = 0; j < lp; j++) {
      unsigned c = rnd(sizeof(alpha) - 1);
      if ((u8)alpha[c] >= 0xc0) c = sizeof(alpha) - 3; /* keep UTF-8 pairs whole */
      if ((u8)alpha[c] >= 0x80) {
        pats[i][k++] = alpha[sizeof(alpha) - 3];
        pats[i][k++] = alpha[sizeof(alpha) - 2];
      } else {
        pats[i][k++] = alpha[c];
      }
    }
    pats[i][k] = 0;
    k = 0;
    for (int j = 0; j < ls; j++) {
      unsigned c = rnd(8);
      const char *set = "aAbB%_]x";
      if (rnd(6) == 0) {
        strs[i][k++] = '\xc3';
        strs[i][k++] = '\xa9';
      } else {
        strs[i][k++] = set[c];
      }
    }
    strs[i][k] = 0;
  }
  char path[] = "/tmp/shale_like_XXXXXX";
  int fd = mkstemp(path);
  FILE *fp = fdopen(fd, "w");
  for (int i = 0; i < NPAIR; i++)
    fprintf(fp, "SELECT '%s' LIKE '%s', '%s' LIKE '%s' ESCAPE '!', '%s' GLOB '%s';\n", strs[i],
            pats[i], strs[i], pats[i], strs[i], pats[i]);
  fclose(fp);
  char cmd[200];
  snprintf(cmd, sizeof cmd, "sqlite3 :memory: < %s 2>/dev/null", path);
  FILE *p = popen(cmd, "r");
  char line[100];
  int i = 0, shown = 0;
  while (p && fgets(line, sizeof line, p) && i < NPAIR) {
    int a, b, c;
    if (sscanf(line, "%d|%d|%d", &a, &b, &c) != 3) break;
    int x = func_like_match((const u8 *)pats[i], (const u8 *)strs[i], 0, 0);
    int y = func_like_match((const u8 *)pats[i], (const u8 *)strs[i], '!', 0);
    int z = func_glob_match((const u8 *)pats[i], (const u8 *)strs[i]);
    if (x == a && y == b && z == c) testlib_passed++;
    else if (shown++ < 20)
      testlib_fail(__FILE__, __LINE__, "'%s' vs pattern '%s': ours %d|%d|%d sqlite3 %d|%d|%d",
                   strs[i], pats[i], x, y, z, a, b, c);
    else testlib_failed++;
    i++;
  }
  if (p) pclose(p);
  unlink(path);
  if (i != NPAIR) printf("func_like: sqlite3 answered %d of %d\n", i, NPAIR);
  return testlib_finish("func_like");
}
