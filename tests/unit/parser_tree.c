/*
** parser_tree.c — structure checks: each statement is parsed and its tree
** rendered (tests/unit/parser_dump.h); the rendering must match exactly.
** Covers precedence and associativity, literals, compound ordering, CTEs,
** joins, windows, upsert, DDL, triggers; plus spans, declared types,
** statement offsets, tails, sql_complete() and sql_is_keyword().
*/
#include "testlib.h"
#include "parser_dump.h"

static void tree(const char *sql, const char *want) {
  ParseResult r;
  int rc = sql_parse(sql, -1, &r);
  if (rc != SQLITE_OK) {
    testlib_fail(__FILE__, __LINE__, "parse failed: %s\n  SQL: %s", r.err, sql);
    parse_result_clear(&r);
    return;
  }
  char *got = dump_stmt(r.stmt);
  if (strcmp(got, want) != 0)
    testlib_fail(__FILE__, __LINE__, "tree mismatch\n  SQL:  %s\n  got:  %s\n  want: %s", sql, got, want);
  else testlib_passed++;
  /* the deep copy renders identically */
  Stmt *c = ast_dup_stmt(r.stmt);
  char *got2 = dump_stmt(c);
  CHECK_STR(got2, got);
  free(got2);
  ast_free_stmt(c);
  free(got);
  parse_result_clear(&r);
}

static Stmt *parse1(const char *sql, ParseResult *r) {
  int rc = sql_parse(sql, -1, r);
  CHECK_INT(rc, SQLITE_OK);
  return rc == SQLITE_OK ? r->stmt : NULL;
}

static void precedence(void) {
  tree("SELECT 1 + 2 * 3 = 7 AND NOT 0", "{SELECT ((AND (= (+ 1 (* 2 3)) 7) (not 0)))}");
  tree("SELECT a NOT IN (1, 2)", "{SELECT ((notin a (1 2)))}");
  tree("SELECT x BETWEEN 1 AND 2 AND y", "{SELECT ((AND (between x 1 2) y))}");
  tree("SELECT NOT a = b", "{SELECT ((not (= a b)))}");
  tree("SELECT NOT a AND b", "{SELECT ((AND (not a) b))}");
  tree("SELECT a OR b AND c", "{SELECT ((OR a (AND b c)))}");
  tree("SELECT a = b = c", "{SELECT ((= (= a b) c))}");
  tree("SELECT a < b = c", "{SELECT ((= (< a b) c))}");
  tree("SELECT a - b - c", "{SELECT ((- (- a b) c))}");
  tree("SELECT a || b || c", "{SELECT ((|| (|| a b) c))}");
  tree("SELECT a & b + c", "{SELECT ((& a (+ b c)))}");
  tree("SELECT a << 1 < 2", "{SELECT ((< (<< a 1) 2))}");
  tree("SELECT -a * b", "{SELECT ((* (neg a) b))}");
  tree("SELECT - a COLLATE x", "{SELECT ((collate (neg a) x))}");
  tree("SELECT a || b COLLATE x", "{SELECT ((|| a (collate b x)))}");
  tree("SELECT a -> 'x' ->> 'y'", "{SELECT ((->> (-> a 'x') 'y'))}");
  tree("SELECT 1 + NOT 0 = 1", "{SELECT ((+ 1 (not (= 0 1))))}");
  tree("SELECT a LIKE b ESCAPE c = d", "{SELECT ((= (LIKE a b esc=c) d))}");
  tree("SELECT a NOT GLOB b || c", "{SELECT ((NOTGLOB a (|| b c)))}");
  tree("SELECT a IS NOT NULL, a IS NULL, a NOT NULL, a ISNULL, a NOTNULL",
       "{SELECT ((notnull a) (isnull a) (notnull a) (isnull a) (notnull a))}");
  tree("SELECT a IS DISTINCT FROM b, a IS NOT DISTINCT FROM b, a IS b + 1",
       "{SELECT ((isnot a b) (is a b) (is a (+ b 1)))}");
  tree("SELECT a = 1 IS NULL", "{SELECT ((isnull (= a 1)))}");
  tree("SELECT x NOT BETWEEN a + 1 AND b * 2 = c",
       "{SELECT ((= (notbetween x (+ a 1) (* b 2)) c))}");
  tree("SELECT ~ - + 1", "{SELECT ((bitnot (neg (pos 1))))}");
  tree("SELECT a IN t, a NOT IN main.t, a IN f(1, 2)",
       "{SELECT ((in a table:t) (notin a table:t) (in a table:f(1 2)))}");
  tree("SELECT (a, b) IN (SELECT 1, 2)", "{SELECT ((in (vec (a b)) {SELECT (1 2)}))}");
  tree("SELECT a MATCH b, a REGEXP b", "{SELECT ((MATCH a b) (REGEXP a b))}");
}

static void literals(void) {
  tree("SELECT 1, 0x10, 0XfF, 9223372036854775807, 9223372036854775808, -9223372036854775808",
       "{SELECT (1 16 255 9223372036854775807 big:9223372036854775808 -9223372036854775808)}");
  tree("SELECT 0xffffffffffffffff, 1.5, .5, 1e10, 1.e-3",
       "{SELECT (-1 f:1.5 f:.5 f:1e10 f:1.e-3)}");
  tree("SELECT 'it''s', x'0aFF', X'', NULL, TRUE, false",
       "{SELECT ('it's' blob2 blob0 NULL TRUE FALSE)}");
  tree("SELECT \"a\"\"b\", [c d], `e``f`, CURRENT_TIME, current_date, CURRENT_TIMESTAMP",
       "{SELECT (a\"b\" c d e`f (call current_time) (call current_date) (call current_timestamp))}");
  tree("SELECT t.a, main.t.b, 'q'.c, t.*, *",
       "{SELECT (t.a main.t.b q.c t.* *)}");
  tree("SELECT key, rowid, temp, left, indexed, replace(a, b, c), like(a, b)",
       "{SELECT (key rowid temp left indexed (call replace (a b c)) (call like (a b)))}");
  tree("SELECT CAST(a AS VARCHAR(10)), CAST(b AS), CAST(c AS unsigned big int)",
       "{SELECT ((cast a VARCHAR(10)) (cast b ) (cast c unsigned big int))}");
  tree("SELECT CASE a WHEN 1 THEN 'x' WHEN 2 THEN 'y' ELSE 'z' END, CASE WHEN a THEN b END",
       "{SELECT ((case a (1 'x' 2 'y') else 'z') (case (a b)))}");
  tree("SELECT count(*), count(DISTINCT a), f(), g(ALL x)",
       "{SELECT ((call count *) (call count DISTINCT (a)) (call f) (call g (x)))}");
  tree("SELECT EXISTS (SELECT 1), NOT EXISTS (SELECT 2), (SELECT 3), (1, 2), (((4)))",
       "{SELECT ((exists {SELECT (1)}) (not (exists {SELECT (2)})) (subq {SELECT (3)}) (vec (1 2)) 4)}");
}

static void selects(void) {
  tree("SELECT 1 UNION SELECT 2 UNION ALL SELECT 3 INTERSECT SELECT 4 EXCEPT SELECT 5 ORDER BY 1 LIMIT 2 OFFSET 1",
       "{{{{{SELECT (1)} UNION SELECT (2)} UNION ALL SELECT (3)} INTERSECT SELECT (4)} EXCEPT SELECT (5) ORDER (1) LIMIT 2 OFFSET 1}");
  tree("SELECT a FROM t LIMIT 5, 10", "{SELECT (a) FROM t LIMIT 10 OFFSET 5}");
  tree("VALUES (1, 2), (3, 4)", "{{VALUES (1 2)} UNION ALL VALUES (3 4)}");
  tree("SELECT 1 UNION VALUES (2), (3)",
       "{{SELECT (1)} UNION SELECT (*) FROM {{VALUES (2)} UNION ALL VALUES (3)}}");
  tree("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10) SELECT x FROM c",
       "{WITH RECURSIVE c[x] m0 {{SELECT (1)} UNION ALL SELECT ((+ x 1)) FROM c WHERE (< x 10)} SELECT (x) FROM c}");
  tree("WITH a AS MATERIALIZED (SELECT 1), b AS NOT MATERIALIZED (SELECT 2) SELECT * FROM a, b",
       "{WITH a m1 {SELECT (1)} b m2 {SELECT (2)} SELECT (*) FROM a j1 b}");
  tree("SELECT DISTINCT a AS x, b y, c 'z' FROM t AS u INDEXED BY i WHERE a GROUP BY a HAVING b ORDER BY a DESC NULLS LAST, b NULLS FIRST",
       "{SELECT DISTINCT (a AS x b AS y c AS z) FROM t/u idx:i WHERE a GROUP (a) HAVING b ORDER (a DESC NULLSLAST b NULLSFIRST)}");
  tree("SELECT * FROM a NATURAL JOIN b LEFT JOIN c ON 1 LEFT OUTER JOIN d USING (x, y) CROSS JOIN e, f INNER JOIN g RIGHT JOIN h FULL OUTER JOIN i",
       "{SELECT (*) FROM a j4 b j40 c ON 1 j40 d USING[x,y] j3 e j1 f j1 g j48 h j120 i}");
  tree("SELECT * FROM t NOT INDEXED, (SELECT 1) AS s, json_each('[1]') j, (a, b)",
       "{SELECT (*) FROM t noidx j1 {SELECT (1)}/s j1 json_each('[1]')/j j1 {SELECT (*) FROM a j1 b}}");
  tree("SELECT * FROM (t) AS x", "{SELECT (*) FROM t/x}");
  tree("SELECT sum(a) OVER w, rank() OVER (w ORDER BY b ROWS BETWEEN 1 PRECEDING AND UNBOUNDED FOLLOWING EXCLUDE TIES) FROM t WINDOW w AS (PARTITION BY c)",
       "{SELECT ((call sum (a) over={win w}) (call rank over={win  base=w order=(b) frame=1:2:1:5 excl=3})) FROM t WINDOW {win w part=(c)}}");
  tree("SELECT count(*) FILTER (WHERE a > 1) OVER (RANGE CURRENT ROW) FROM t",
       "{SELECT ((call count * filter=(> a 1) over={win  frame=2:3:3 excl=0})) FROM t}");
  tree("SELECT group_concat(a, ',' ORDER BY b DESC) FROM t",
       "{SELECT ((call group_concat (a ',') order=(b DESC))) FROM t}");
  tree("SELECT filter, over, window FROM t", "{SELECT (filter over window) FROM t}");
  tree("SELECT 1 FROM t window w AS (ORDER BY a), v AS (w ROWS 2 PRECEDING)",
       "{SELECT (1) FROM t WINDOW {win w order=(a)}{win v order=(a) frame=1:2:2:3 excl=0}}");
  tree("EXPLAIN SELECT 1", "EXPLAIN1 {SELECT (1)}");
  tree("EXPLAIN QUERY PLAN SELECT 1", "EXPLAIN2 {SELECT (1)}");
}

static void dml(void) {
  tree("INSERT INTO t(a, b) VALUES (1, 2) ON CONFLICT (a) WHERE a > 0 DO UPDATE SET b = excluded.b, (c, d) = (1, 2) WHERE 1 ON CONFLICT DO NOTHING RETURNING *, a AS z",
       "INSERT or0 t[a,b] {VALUES (1 2)} UPSERT(a) tw=(> a 0) SET(excluded.b AS b 1 AS c 2 AS d) WHERE 1 UPSERT NOTHING RETURNING(* a AS z)");
  tree("REPLACE INTO main.t AS x DEFAULT VALUES", "INSERT or5 main.t/x DEFAULT VALUES");
  tree("INSERT OR IGNORE INTO t SELECT * FROM u WHERE 1 ON CONFLICT DO NOTHING",
       "INSERT or4 t {SELECT (*) FROM u WHERE 1} UPSERT NOTHING");
  tree("WITH x AS (SELECT 1) UPDATE OR FAIL t AS u SET a = 1, (b, c) = (SELECT 1, 2) FROM x WHERE u.a = x.a RETURNING a ORDER BY a LIMIT 1",
       "WITH x m0 {SELECT (1)} UPDATE or3 t/u SET(1 AS a (subq {SELECT (1 2)}) AS b (subq {SELECT (1 2)}) AS c) FROM x WHERE (= u.a x.a) RETURNING(a) ORDER(a) LIMIT 1");
  tree("DELETE FROM t WHERE a RETURNING a LIMIT 2", "DELETE t WHERE a RETURNING(a) LIMIT 2");
}

static void ddl(void) {
  tree("CREATE TABLE t(a INTEGER PRIMARY KEY DESC ON CONFLICT REPLACE AUTOINCREMENT, b TEXT NOT NULL DEFAULT 'x', c VARCHAR ( 10 ) COLLATE nocase UNIQUE, d REFERENCES p(x) ON DELETE CASCADE ON UPDATE SET NULL DEFERRABLE INITIALLY DEFERRED, e AS (a + 1) STORED, f GENERATED ALWAYS AS (2), CHECK (a > 0), CONSTRAINT k FOREIGN KEY (b) REFERENCES q, UNIQUE (b, c)) WITHOUT ROWID, STRICT",
       "CREATE TABLE t (a:INTEGER pk6 desc autoinc, b:TEXT notnull1 default='x'['x'], c:VARCHAR ( 10 ) unique1 collate=nocase, d fk=p[x] del3 upd1 def1, e gen=(+ a 1) stored, f:GENERATED ALWAYS gen=2, tc2(> a 0), tc3 k fk=[b]q-, tc1(b c)) WITHOUT ROWID STRICT");
  tree("CREATE TABLE t(a DEFAULT -1, b DEFAULT (1 + 2), c DEFAULT + 5, d DEFAULT abc, e DEFAULT true, f DEFAULT CURRENT_TIME)",
       "CREATE TABLE t (a default=(neg 1)[-1], b default=(+ 1 2)[1 + 2], c default=5[+ 5], d default='abc'[abc], e default=TRUE[true], f default=(call current_time)[CURRENT_TIME])");
  tree("CREATE TABLE t(a unsigned   big  int, b \"my type\" 'x', c generated always, d key key)",
       "CREATE TABLE t (a:unsigned   big  int, b:my type, c:generated always, d:key key)");
  tree("CREATE TEMP TABLE IF NOT EXISTS t AS SELECT 1", "CREATE TABLE temp t () AS {SELECT (1)}");
  tree("CREATE UNIQUE INDEX IF NOT EXISTS i ON t(a COLLATE nocase DESC, b + 1) WHERE a > 0",
       "CREATE UNIQUE INDEX i ON t((collate a nocase) DESC (+ b 1)) WHERE (> a 0)");
  tree("CREATE VIEW v(x, y) AS SELECT 1, 2", "CREATE VIEW v[x,y] AS {SELECT (1 2)}");
  tree("CREATE TRIGGER tr BEFORE UPDATE OF a, b ON t FOR EACH ROW WHEN new.a > 0 BEGIN INSERT INTO log VALUES (new.a); UPDATE t SET b = 1; DELETE FROM t WHERE 0; SELECT RAISE(ABORT, 'no'), RAISE(IGNORE); END",
       "CREATE TRIGGER tr time0 ev2[a,b] ON t FOR EACH ROW WHEN (> new.a 0) BEGIN INSERT or0 log {VALUES (new.a)}; UPDATE or0 t SET(1 AS b); DELETE t WHERE 0; {SELECT ((raise 2 no) (raise 0 ))}; END");
  tree("CREATE TEMP TRIGGER tx AFTER INSERT ON main.t BEGIN SELECT 1; END",
       "CREATE TRIGGER tx time1 ev1 ON main.t BEGIN {SELECT (1)}; END");
  tree("CREATE TEMP TRIGGER IF NOT EXISTS after INSTEAD OF DELETE ON v BEGIN SELECT 1; END",
       "CREATE TRIGGER after time2 ev3 ON v BEGIN {SELECT (1)}; END");
  tree("CREATE VIRTUAL TABLE v USING fts5(a, b c, tokenize = 'porter ascii', x(1, 2),)",
       "CREATE VIRTUAL TABLE v USING fts5 <a> <b c> <tokenize = 'porter ascii'> <x(1, 2)>");
  tree("DROP TABLE IF EXISTS main.t", "DROP9 IF EXISTS main.t");
  tree("ALTER TABLE t RENAME COLUMN a TO b", "ALTER2 t col=a new=b");
  tree("ALTER TABLE t ADD COLUMN z INT NOT NULL DEFAULT 0", "ALTER3 t add=z:INT notnull1 default=0[0]");
  tree("ALTER TABLE t DROP a", "ALTER4 t col=a");
  tree("PRAGMA main.cache_size = -2000", "PRAGMA main.cache_size=-2000");
  tree("PRAGMA foo('bar')", "PRAGMA foo=bar");
  tree("PRAGMA foo = ON", "PRAGMA foo=ON");
  tree("PRAGMA x(+5)", "PRAGMA x=5");
  tree("BEGIN IMMEDIATE TRANSACTION", "BEGIN1");
  tree("BEGIN CONCURRENT", "BEGIN3");
  tree("END", "COMMIT");
  tree("ROLLBACK TRANSACTION TO SAVEPOINT sp", "TRANS16 sp");
  tree("VACUUM main INTO 'f.db'", "VACUUM main INTO 'f.db'");
  tree("ANALYZE main.t", "ANALYZE main. t");
  tree("ATTACH DATABASE 'x' AS key KEY 'k'", "ATTACH 'x' AS key KEY 'k'");
}

static void spans_types_offsets(void) {
  ParseResult r;
  Stmt *s = parse1("  SELECT a  +  b , c AS d, 1 /*c*/ FROM t;  SELECT 2", &r);
  if (s) {
    ExprList *l = s->u.select->result;
    CHECK_STR(l->a[0].span, "a  +  b");
    CHECK_STR(l->a[1].span, "c");
    CHECK_STR(l->a[1].alias, "d");
    CHECK_STR(l->a[2].span, "1 /*c*/");
    CHECK_INT(s->pos, 2); /* end: offset of the ; */
    CHECK_INT(s->end, 41);
    CHECK_STR(r.tail, "  SELECT 2");
  }
  parse_result_clear(&r);
  s = parse1("CREATE TABLE t(a VARCHAR(10), b int  (  10 , -20 ), c)", &r);
  if (s) {
    CHECK_STR(s->u.create_table.cols[0].type, "VARCHAR(10)");
    CHECK_STR(s->u.create_table.cols[1].type, "int  (  10 , -20 )");
    CHECK(s->u.create_table.cols[2].type == NULL);
  }
  parse_result_clear(&r);
  /* empty statements */
  s = parse1(";;  ", &r);
  CHECK(s == NULL);
  parse_result_clear(&r);
  s = parse1("-- only a comment", &r);
  CHECK(s == NULL);
  parse_result_clear(&r);
  s = parse1(" ; SELECT 1; x", &r);
  CHECK(s != NULL);
  if (s) CHECK_STR(r.tail, " x");
  parse_result_clear(&r);
  /* nBytes bounds the input */
  CHECK_INT(sql_parse("SELECT 1 garbage", 8, &r), SQLITE_OK);
  parse_result_clear(&r);
}

static void complete_and_keywords(void) {
  CHECK(sql_complete("SELECT 1;"));
  CHECK(!sql_complete("SELECT 1"));
  CHECK(sql_complete("SELECT 1; -- x\n"));
  CHECK(!sql_complete("SELECT 'a;"));
  CHECK(sql_complete("SELECT 'a;';"));
  CHECK(!sql_complete("CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1;"));
  CHECK(sql_complete("CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; END;"));
  CHECK(sql_complete("CREATE TEMP TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; END ;"));
  CHECK(!sql_complete("/* x ;"));
  CHECK(sql_complete(";"));
  CHECK(!sql_complete(""));
  CHECK(!sql_complete("  "));
  CHECK(sql_complete("EXPLAIN CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; END;"));
  CHECK(sql_is_keyword("select", 6));
  CHECK(sql_is_keyword("CURRENT_TIMESTAMP", -1));
  CHECK(sql_is_keyword("Without", -1));
  CHECK(!sql_is_keyword("rowid", -1));
  CHECK(!sql_is_keyword("true", -1));
  CHECK(!sql_is_keyword("strict", -1));
  static const char *const all[] = {
      "ABORT", "ACTION", "ADD", "AFTER", "ALL", "ALTER", "ALWAYS", "ANALYZE", "AND", "AS", "ASC",
      "ATTACH", "AUTOINCREMENT", "BEFORE", "BEGIN", "BETWEEN", "BY", "CASCADE", "CASE", "CAST",
      "CHECK", "COLLATE", "COLUMN", "COMMIT", "CONFLICT", "CONSTRAINT", "CREATE", "CROSS",
      "CURRENT", "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "DATABASE", "DEFAULT",
      "DEFERRABLE", "DEFERRED", "DELETE", "DESC", "DETACH", "DISTINCT", "DO", "DROP", "EACH",
      "ELSE", "END", "ESCAPE", "EXCEPT", "EXCLUDE", "EXCLUSIVE", "EXISTS", "EXPLAIN", "FAIL",
      "FILTER", "FIRST", "FOLLOWING", "FOR", "FOREIGN", "FROM", "FULL", "GENERATED", "GLOB",
      "GROUP", "GROUPS", "HAVING", "IF", "IGNORE", "IMMEDIATE", "IN", "INDEX", "INDEXED",
      "INITIALLY", "INNER", "INSERT", "INSTEAD", "INTERSECT", "INTO", "IS", "ISNULL", "JOIN",
      "KEY", "LAST", "LEFT", "LIKE", "LIMIT", "MATCH", "MATERIALIZED", "NATURAL", "NO", "NOT",
      "NOTHING", "NOTNULL", "NULL", "NULLS", "OF", "OFFSET", "ON", "OR", "ORDER", "OTHERS",
      "OUTER", "OVER", "PARTITION", "PLAN", "PRAGMA", "PRECEDING", "PRIMARY", "QUERY", "RAISE",
      "RANGE", "RECURSIVE", "REFERENCES", "REGEXP", "REINDEX", "RELEASE", "RENAME", "REPLACE",
      "RESTRICT", "RETURNING", "RIGHT", "ROLLBACK", "ROW", "ROWS", "SAVEPOINT", "SELECT", "SET",
      "TABLE", "TEMP", "TEMPORARY", "THEN", "TIES", "TO", "TRANSACTION", "TRIGGER", "UNBOUNDED",
      "UNION", "UNIQUE", "UPDATE", "USING", "VACUUM", "VALUES", "VIEW", "VIRTUAL", "WHEN",
      "WHERE", "WINDOW", "WITH", "WITHOUT"};
  CHECK_INT(SHALE_ARRAY_SIZE(all), 147);
  for (unsigned i = 0; i < SHALE_ARRAY_SIZE(all); i++) {
    if (!sql_is_keyword(all[i], -1)) testlib_fail(__FILE__, __LINE__, "not a keyword: %s", all[i]);
    else testlib_passed++;
  }
}

static void limits(void) {
  /* deep nesting never crashes: parser stack / expression depth errors */
  char *buf = malloc(300000);
  strcpy(buf, "SELECT ");
  size_t n = 7;
  for (int i = 0; i < 50000; i++) buf[n++] = '(';
  buf[n++] = '1';
  for (int i = 0; i < 50000; i++) buf[n++] = ')';
  buf[n] = 0;
  ParseResult r;
  CHECK_INT(sql_parse(buf, -1, &r), SQLITE_ERROR);
  CHECK_STR(r.err, "parser stack overflow");
  parse_result_clear(&r);
  n = 7;
  for (int i = 0; i < 50000; i++) { memcpy(buf + n, "1+", 2); n += 2; }
  buf[n++] = '1';
  buf[n] = 0;
  CHECK_INT(sql_parse(buf, -1, &r), SQLITE_ERROR);
  CHECK_STR(r.err, "Expression tree is too large (maximum depth 1000)");
  parse_result_clear(&r);
  /* 999 operators is fine, 1000 is too many (as sqlite3) */
  n = 7;
  for (int i = 0; i < 999; i++) { memcpy(buf + n, "1+", 2); n += 2; }
  buf[n++] = '1';
  buf[n] = 0;
  CHECK_INT(sql_parse(buf, -1, &r), SQLITE_OK);
  parse_result_clear(&r);
  n = 7;
  for (int i = 0; i < 93; i++) buf[n++] = '(';
  buf[n++] = '1';
  for (int i = 0; i < 93; i++) buf[n++] = ')';
  buf[n] = 0;
  CHECK_INT(sql_parse(buf, -1, &r), SQLITE_OK);
  parse_result_clear(&r);
  free(buf);
}

int main(void) {
  precedence();
  literals();
  selects();
  dml();
  ddl();
  spans_types_offsets();
  complete_and_keywords();
  limits();
  return testlib_finish("parser_tree");
}
