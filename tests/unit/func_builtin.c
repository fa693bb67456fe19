/*
** func_builtin.c — the built-in scalar and aggregate functions, called
** directly through a mock value/context API (func_mock.h), compared with the
** sqlite3 CLI (3.40.1): for every case the test writes
**   SELECT '#<i>'; SELECT quote(<call>);
** to a script, runs `sqlite3 :memory: < script` once, and compares quote()
** of our result with the CLI's line.  A case where sqlite3 prints no value
** (a runtime error) must give an error here too.
*/
#include <unistd.h>
#include "testlib.h"
#include "func_mock.h"

typedef struct Case {
  const char *name;
  int argc;
  const char *args[6];
  int agg;          /* aggregate over rows args[..] with optional extra */
  const char *extra;
  char *ours;
} Case;

#define S(n, ...) {n, (int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)), {__VA_ARGS__}, 0, NULL, NULL}
#define S0(n) {n, 0, {NULL}, 0, NULL, NULL}
#define AG(n, ...) {n, (int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)), {__VA_ARGS__}, 1, NULL, NULL}
#define AGX(n, x, ...) {n, (int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)), {__VA_ARGS__}, 1, x, NULL}

static Case cases[] = {
    S("abs", "-5"), S("abs", "5"), S("abs", "-5.5"), S("abs", "NULL"), S("abs", "'-3'"),
    S("abs", "'abc'"), S("abs", "-9223372036854775808"), S("abs", "X'3132'"),
    S("char", "72", "105"), S("char", "-1", "1114112", "228"), S("char", "'a'"),
    S("coalesce", "NULL", "NULL", "3"), S("coalesce", "NULL", "NULL"),
    S("hex", "'abc'"), S("hex", "X'00ff'"), S("hex", "NULL"), S("hex", "12"), S("hex", "1.5"),
    S("ifnull", "NULL", "'x'"), S("iif", "1", "'a'", "'b'"), S("iif", "0.0", "'a'", "'b'"),
    S("iif", "'1x'", "'a'", "'b'"), S("iif", "NULL", "'a'", "'b'"),
    S("instr", "'hello'", "'l'"), S("instr", "'hello'", "'z'"), S("instr", "'hello'", "''"),
    S("instr", "X'010203'", "X'03'"), S("instr", "'héllo'", "'l'"), S("instr", "12345", "34"),
    S("instr", "NULL", "'a'"), S("instr", "X'616263'", "'c'"),
    S("length", "'héllo'"), S("length", "X'0001'"), S("length", "123"), S("length", "1.5"),
    S("length", "NULL"), S("length", "''"),
    S("like", "'a%'", "'abc'"), S("like", "'A_C'", "'abc'"), S("like", "'a\\%'", "'a%'", "'\\'"),
    S("like", "'%b%'", "'ABC'"), S("like", "'a%'", "NULL"), S("like", "'é%'", "'ÉCOLE'"),
    S("like", "'%%'", "''"), S("like", "'_'", "'é'"), S("like", "'a%'", "'abc'", "'%'"),
    S("like", "'a%%'", "'a%'", "'%'"), S("like", "'x'", "'x'", "'ab'"),
    S("like", "'x'", "'x'", "NULL"), S("like", "X'61'", "'a'"),
    S("glob", "'a*'", "'abc'"), S("glob", "'A*'", "'abc'"), S("glob", "'[a-c]?'", "'bz'"),
    S("glob", "'[^a-c]*'", "'bz'"), S("glob", "'*[]]'", "'x]'"), S("glob", "'a?c'", "'abc'"),
    S("glob", "'*.txt'", "'file.txt'"), S("glob", "'[abc'", "'a'"), S("glob", "'*[0-9]*'", "'ab5c'"),
    S("likely", "5"), S("unlikely", "'x'"), S("likelihood", "3", "0.5"),
    S("lower", "'HeLLo ÀÉ'"), S("upper", "'hello àé'"), S("lower", "NULL"), S("upper", "12"),
    S("ltrim", "'  abc  '"), S("rtrim", "'  abc  '"), S("trim", "'  abc  '"),
    S("trim", "'xxabcxx'", "'x'"), S("ltrim", "'abcba'", "'ab'"), S("rtrim", "'abcba'", "'ab'"),
    S("trim", "'éaé'", "'é'"), S("trim", "'abc'", "''"), S("trim", "'abc'", "NULL"),
    S("trim", "NULL"), S("trim", "123", "'1'"),
    S("max", "1", "2", "3"), S("max", "1", "'a'", "X'00'"), S("max", "1", "NULL", "3"),
    S("min", "1", "2.5", "-3"), S("min", "'b'", "'a'", "'c'"), S("max", "2", "2.0"),
    S("min", "2.0", "2"), S("max", "9223372036854775807", "9.3e18"),
    S("nullif", "1", "1"), S("nullif", "1", "2"), S("nullif", "'a'", "'A'"), S("nullif", "1", "1.0"),
    S("printf", "'%d %s %f'", "42", "'x'", "3.5"), S("printf", "'%5.2f|%-5d|'", "3.14159", "7"),
    S("printf", "'%s'"), S("printf", "''"), S("printf", "NULL"), S("printf", "'%d'", "'12abc'"),
    S("printf", "'%c%c'", "'hello'", "'éa'"), S("printf", "'%q'", "'it''s'"),
    S("printf", "'%Q'", "NULL"), S("printf", "'%x'", "255"), S("printf", "'%.3s'", "'abcdef'"),
    S("printf", "'%d'", "3.9"), S("printf", "'%f'", "'1e3'"), S("printf", "'%s'", "1.5"),
    S("printf", "'%*d'", "5", "3"), S("printf", "'%z'", "'abc'"), S("printf", "'%w'", "'a\"b'"),
    S("printf", "'%!.20e'", "0.1"), S("printf", "'%,d'", "-1234567"), S("printf", "'%08,d'", "5"),
    S("format", "'%5s|'", "'ab'"), S("printf", "'%*d'", "1000000001", "1"), S("printf", "'a%.*c'", "1000000001", "'x'"), S("printf", "'%.0f %.0f %.0f'", "0.5", "1.5", "2.5"),
    S("quote", "'it''s'"), S("quote", "1.5"), S("quote", "0.1"), S("quote", "1e300"),
    S("quote", "X'00ab'"), S("quote", "NULL"), S("quote", "-7"), S("quote", "100.0"),
    S("quote", "3.141592653589793"), S("quote", "1e-7"),
    S("replace", "'hello'", "'l'", "'L'"), S("replace", "'hello'", "''", "'x'"),
    S("replace", "'hello'", "'ll'", "''"), S("replace", "'aaa'", "'aa'", "'b'"),
    S("replace", "NULL", "'a'", "'b'"), S("replace", "'a'", "NULL", "'b'"),
    S("replace", "123", "'2'", "'x'"), S("replace", "123", "''", "'x'"),
    S("round", "2.5"), S("round", "-2.5"), S("round", "3.14159", "2"), S("round", "1.005", "2"),
    S("round", "2.675", "2"), S("round", "12345.6789", "-1"), S("round", "1e20", "2"),
    S("round", "NULL"), S("round", "1", "NULL"), S("round", "'1.55'", "1"), S("round", "5"),
    S("round", "0.5"), S("round", "-0.4"), S("round", "123.456", "40"), S("round", "9.995", "2"),
    S("sign", "-3"), S("sign", "0"), S("sign", "2.5"), S("sign", "'-1'"), S("sign", "'abc'"),
    S("sign", "NULL"), S("soundex", "'Robert'"), S("soundex", "'Tymczak'"), S("soundex", "''"),
    S("soundex", "'Pfister'"), S("soundex", "'123'"), S("soundex", "'Ashcraft'"),
    S("substr", "'hello'", "2"), S("substr", "'hello'", "2", "3"), S("substr", "'hello'", "0"),
    S("substr", "'hello'", "0", "2"), S("substr", "'hello'", "-2"), S("substr", "'hello'", "-2", "1"),
    S("substr", "'hello'", "2", "-1"), S("substr", "'hello'", "-10", "8"),
    S("substr", "'héllo'", "2", "2"), S("substr", "X'0102030405'", "2", "2"),
    S("substr", "X'0102030405'", "-2"), S("substr", "'hello'", "NULL"), S("substr", "NULL", "1"),
    S("substr", "12345", "2", "2"), S("substring", "'hello'", "3"), S("substr", "'hello'", "10"),
    S("substr", "'hello'", "3", "-5"), S("substr", "'abc'", "1.9"),
    S("typeof", "1"), S("typeof", "1.0"), S("typeof", "'a'"), S("typeof", "X'00'"), S("typeof", "NULL"),
    S("unicode", "'é'"), S("unicode", "''"), S("unicode", "NULL"), S("unicode", "'A'"),
    S("zeroblob", "3"), S("zeroblob", "-1"), S("zeroblob", "0"),
    S("length", "'a' "), S("sqlite_version"[0] ? "typeof" : "", "2"),
    /* math */
    S("ceil", "1.2"), S("ceil", "-1.2"), S("ceil", "5"), S("floor", "-1.5"), S("trunc", "-1.7"),
    S("ceiling", "'2.1'"), S("floor", "'x'"), S("ln", "2.718281828459045"), S("log", "100"),
    S("log", "2", "8"), S("log10", "1000"), S("log2", "8"), S("log", "-1"), S("ln", "0"),
    S("exp", "1"), S("pow", "2", "10"), S("power", "2", "0.5"), S("mod", "7", "3"),
    S("mod", "-7.5", "2"), S("mod", "1", "0"), S("sqrt", "2"), S("sqrt", "-1"),
    S("sin", "1"), S("cos", "0"), S("tan", "1"), S("asin", "1"), S("acos", "2"),
    S("atan2", "1", "2"), S("degrees", "3.141592653589793"), S("radians", "180"), S("pi"[0] ? "abs" : "", "0"),
    S("sinh", "1"), S("cosh", "1"), S("tanh", "1"), S("asinh", "1"), S("acosh", "2"), S("atanh", "0.5"),
    S("exp", "'a'"), S("log", "1", "10"),
    /* date & time (no 'now') */
    S("date", "'2020-02-29'"), S("date", "'2020-02-29'", "'+1 year'"), S("date", "'2000-01-31'", "'+1 month'"),
    S("datetime", "'2000-01-01 12:34:56.789'"), S("time", "'12:30'"), S("time", "'12:30:45.5'"),
    S("julianday", "'2000-01-01'"), S("julianday", "'2000-01-01 00:00:00.0005'"),
    S("datetime", "0"), S("datetime", "2451545"), S("datetime", "1700000000", "'unixepoch'"),
    S("datetime", "1700000000", "'auto'"), S("datetime", "2460000.5", "'auto'"),
    S("datetime", "2460000.5", "'julianday'"), S("datetime", "'2460000.5'"),
    S("datetime", "'2020-01-01T10:00:00Z'"), S("datetime", "'2020-01-01 10:00:00+05:30'"),
    S("datetime", "'2020-01-01 10:00:00 -02:00'"), S("datetime", "'2020-02-30'"),
    S("date", "'2020-13-01'"), S("date", "' 2000-01-01'"), S("date", "'2000-01-01 '"),
    S("datetime", "'2000-01-01 24:00'"), S("datetime", "'2000-01-01'", "'weekday 0'"),
    S("datetime", "'2000-01-01'", "'weekday 6'"), S("datetime", "'2000-01-01'", "'weekday 7'"),
    S("datetime", "'2000-01-01'", "'+01:30'"), S("datetime", "'2000-01-01'", "'-01:30:15.5'"),
    S("datetime", "'2000-03-15 10:11:12'", "'start of month'"),
    S("datetime", "'2000-03-15 10:11:12'", "'start of year'"),
    S("datetime", "'2000-03-15 10:11:12'", "'start of day'"),
    S("datetime", "'2000-03-15'", "'+1.5 days'"), S("datetime", "'2000-03-15'", "'-36 hours'"),
    S("datetime", "'2000-03-15'", "'+90 minutes'"), S("datetime", "'2000-03-15'", "'+3600 seconds'"),
    S("datetime", "'2000-03-15'", "'+1.5 months'"), S("datetime", "'2000-03-15'", "'-13 months'"),
    S("datetime", "'2000-03-15'", "'+2.25 years'"), S("datetime", "'2000-03-15'", "'+1 fortnight'"),
    S("datetime", "'2000-03-15'", "'unixepoch'"), S("datetime", "'2000-03-15'", "'start of week'"),
    S("datetime", "-1"), S("datetime", "5373484.49"), S("datetime", "5373484.5"),
    S("date", "'9999-12-31'", "'+1 day'"), S("date", "'-4713-11-24'"), S("date", "'0000-01-01'"),
    S("datetime", "'-0001-06-15 01:02:03'"), S("date", "'2000-01-01'", "NULL"), S("date", "NULL"),
    S("unixepoch", "'2000-01-01'"), S("unixepoch", "'1960-01-01 00:00:01'"),
    S("strftime", "'%Y-%m-%d %H:%M:%S'", "'2021-07-04 05:06:07'"),
    S("strftime", "'%f|%j|%J|%s|%w|%W|%%'", "'2021-07-04 05:06:07.891'"),
    S("strftime", "'%W %j'", "'2021-01-01'"), S("strftime", "'%W %j %w'", "'2024-12-31'"),
    S("strftime", "'%e'", "'2021-01-01'"), S("strftime", "''", "'2021-01-01'"),
    S("strftime", "'abc'", "'2021-01-01'"), S("strftime", "'%'", "'2021-01-01'"),
    S("strftime", "'%s'", "'1900-01-01'"), S("strftime", "'%f'", "'2000-01-01 00:00:59.9996'"),
    S("strftime", "'%Y'", "NULL"), S("strftime", "'%Y-%m'", "'-0120-06-15'"), S("date", "'-0001-06-15'"),
    S("log2", "1024"), S("log10", "100"), S("log", "2", "8"), S("strftime", "NULL", "'2000-01-01'"),
    S("julianday", "'2000-01-01'", "'+1 day'", "'-12 hours'"), S("date", "'2000-01-01'", "'auto'"),
    S("datetime", "1e10", "'unixepoch'"), S("datetime", "'10:00'"), S("julianday", "'12:00'"),
    S("time", "'2000-01-01 23:59:59.9999'"), S("datetime", "'2000-01-01 23:59:59.9996'"),
    S("date", "'2000-1-1'"), S("date", "'20000-01-01'"), S("datetime", "'2000-01-01T12:00'"),
    S("datetime", "'2000-01-01 12:00z'"), S("datetime", "'2000-01-01 12:00 +14:00'"),
    S("datetime", "'2000-01-01 12:00 +15:00'"), S("datetime", "'1.5e6'"), S("datetime", "'  2451545  '"),
    S("date", "'2000-02-28'", "'+1 day'", "'start of month'", "'+1 month'", "'-1 day'"),
    /* JSON */
    S("json", "' [1, 2 , {\"a\" : \"b\\u0041\"}] '"), S("json", "'[1,]'"), S("json", "'{}'"),
    S("json", "'[]'"), S("json", "' { } '"), S("json", "'[ ]'"), S("json", "'{\"a\":}'"),
    S("json", "'01'"), S("json", "'-0'"), S("json", "'1.'"), S("json", "'.5'"), S("json", "'1e5'"),
    S("json", "'1E+5'"), S("json", "'-'"), S("json", "'\"a\tb\"'"), S("json", "'\"\\x\"'"),
    S("json", "'nulls'"), S("json", "'true '"), S("json", "'[true,false,null]'"), S("json", "NULL"),
    S("json", "'{\"a\":1,\"a\":2}'"), S("json", "'\"\\u12\"'"), S("json", "''"), S("json", "123"),
    S("json_valid", "NULL"), S("json_valid", "''"), S("json_valid", "'{\"x\":[1,{}]}'"), S("json_valid", "'{1:2}'"),
    S("json_extract", "'{\"a\":[1,2.50,\"x\\ty\"]}'", "'$.a[2]'"), S("json_extract", "'{\"a\":1}'", "'$.b'"),
    S("json_extract", "'{\"a\":[1,2.50]}'", "'$.a[1]'"), S("json_extract", "'{\"a\":[1,2.50]}'", "'$.a'"),
    S("json_extract", "'{\"a\":[1,2.50]}'", "'$.a[#-1]'"), S("json_extract", "'{\"a\":[1,2.50]}'", "'$.a[#-3]'"),
    S("json_extract", "'{\"a\":[1,2.50]}'", "'$.a[#]'"), S("json_extract", "'{}'", "'a'"),
    S("json_extract", "'{\"a b\":7}'", "'$.\"a b\"'"), S("json_extract", "'{\"a\":7}'", "'$.'"),
    S("json_extract", "'[1,2]'", "'$[1'"), S("json_extract", "'[1,[2,3]]'", "'$[1][0]'", "'$[0]'", "'$[5]'"),
    S("json_extract", "'9223372036854775807'", "'$'"), S("json_extract", "'9223372036854775808'", "'$'"),
    S("json_extract", "'-9223372036854775808'", "'$'"), S("json_extract", "'-9223372036854775809'", "'$'"),
    S("json_extract", "'\"\\u00e9\\ud83d\\ude00\"'", "'$'"), S("json_extract", "'true'", "'$'"),
    S("json_extract", "'null'", "'$'"), S("json_extract", "'{\"a\":{\"b\":[true]}}'", "'$.a.b'"),
    S("json_extract", "'[1]'", "NULL"), S("json_extract", "'[1'", "'$'"),
    S("->", "'{\"a\":[5]}'", "'$.a'"), S("->>", "'{\"a\":[5]}'", "'a'"), S("->", "'[7,8]'", "1"),
    S("->>", "'[7,8]'", "1"), S("->", "'{\"a\":\"x\"}'", "'a'"), S("->>", "'{\"a\":\"x\"}'", "'a'"),
    S("->", "'{\"a\":{\"b\":1}}'", "'a.b'"), S("->>", "'[1,[2]]'", "'[1][0]'"), S("->", "'[1]'", "'$x'"),
    S("->", "'{\"a\":1}'", "'b'"), S("->", "'{\"$x\":3}'", "'$x'"), S("->>", "'{\"a\":1}'", "'\"a\"'"),
    S("->", "'{\"a\":1}'", "'a[0]'"), S("->", "'{\"a\":3}'", "'$'"),
    S("json_type", "'[1]'", "'$[0]'"), S("json_type", "'{\"a\":1.5}'", "'$.a'"), S("json_type", "'\"s\"'"),
    S("json_type", "'[1]'", "'$[9]'"), S("json_type", "'{}'"), S("json_type", "'[1]'", "NULL"),
    S("json_array", "1", "1.0", "'a\"b'", "NULL", "1e300"), S("json_array", "'\001\t'"),
    S("json_array", "X'00'"), S("json_object", "'a'", "1", "'b'", "'x'"), S("json_object", "'a'"),
    S("json_object", "1", "2"), S("json_quote", "'x\"y'"), S("json_quote", "3.5"), S("json_quote", "NULL"),
    S("json_array_length", "'[1,[2]]'"), S("json_array_length", "'{}'"), S("json_array_length", "'[1,[2,3]]'", "'$[1]'"),
    S("json_set", "'{\"a\":1}'", "'$.b.c'", "2"), S("json_set", "'{\"a\":1}'", "'$.a'", "'x'"),
    S("json_insert", "'{\"a\":1}'", "'$.a'", "'x'"), S("json_insert", "'[1,2]'", "'$[#]'", "3"),
    S("json_insert", "'[1,2]'", "'$[5]'", "3"), S("json_set", "'[1,2]'", "'$[2]'", "'z'"),
    S("json_set", "'{}'", "'$.a[0].b'", "1"), S("json_set", "'{}'", "'$.a[1]'", "1"),
    S("json_set", "'{}'", "'$.a'"), S("json_set", "'[1]'", "'$.a'", "1"), S("json_set", "'{}'", "'$'", "5"),
    S("json_set", "'{\"a\":1}'", "'$.\"b c\"'", "'q\"'"), S("json_set", "'{}'", "'x'", "1"),
    S("json_replace", "'{\"a\":1}'", "'$'", "'x'"), S("json_replace", "'{\"a\":1}'", "'$.a'", "NULL"),
    S("json_replace", "'{\"a\":1}'", "'$.b'", "2"), S("json_replace", "'[1,2]'", "'$[0]'", "X'01'"),
    S("json_remove", "'[1,2,3]'", "'$[1]'", "'$[1]'"), S("json_remove", "'{\"a\":1,\"b\":2}'", "'$.a'"),
    S("json_remove", "'[1]'", "'$'"), S("json_remove", "'[1]'"), S("json_remove", "'[1]'", "NULL"),
    S("json_remove", "'[1,2]'", "'$[#-1]'"),
    S("json_patch", "'{\"a\":1,\"b\":{\"c\":2}}'", "'{\"b\":{\"c\":null,\"d\":4},\"e\":null}'"),
    S("json_patch", "'[1]'", "'{\"a\":{\"x\":null,\"y\":1}}'"), S("json_patch", "'{\"a\":1}'", "'[2]'"),
    S("json_patch", "'{\"a\":{\"b\":1}}'", "'{\"a\":{\"c\":{\"d\":null}}}'"), S("json_patch", "'{}'", "'x'"),
    AG("json_group_array", "1", "'a'", "NULL", "2.5"), AG("json_group_array", "NULL"),
    /* aggregates */
    AG("count", "1", "NULL", "3"), AG("sum", "1", "2", "3"), AG("sum", "1", "2.5"),
    AG("sum", "NULL", "NULL"), AG("sum", "9223372036854775807", "1"),
    AG("sum", "9223372036854775807", "1.0"), AG("total", "NULL"), AG("total", "1", "2"),
    AG("avg", "1", "2"), AG("avg", "NULL"), AG("sum", "'3'", "'4'"), AG("sum", "'a'", "1"),
    AG("max", "1", "'a'", "3"), AG("min", "'b'", "NULL", "'a'"), AG("max", "NULL"),
    AG("min", "X'01'", "'z'", "5.5"), AG("group_concat", "'a'", "NULL", "'b'", "1"),
    AGX("group_concat", "'; '", "'a'", "'b'", "'c'"), AG("group_concat", "NULL"),
    AG("group_concat", "''"), AGX("group_concat", "NULL", "'a'", "'b'"),
    AG("count", "NULL"), AG("max", "2", "2.0"), AG("min", "2.0", "2"),
};

static void sql_of(Case *c, char *out, size_t n) {
  size_t o = 0;
  if (c->agg) {
    o += (size_t)snprintf(out + o, n - o, "SELECT quote(%s(column1%s%s)) FROM (", c->name,
                          c->extra ? ", " : "", c->extra ? c->extra : "");
    for (int i = 0; i < c->argc; i++)
      o += (size_t)snprintf(out + o, n - o, "%sSELECT %s AS column1", i ? " UNION ALL " : "",
                            c->args[i]);
    snprintf(out + o, n - o, ");");
    return;
  }
  if (c->name[0] == '-') { /* the -> and ->> operators */
    snprintf(out, n, "SELECT quote(%s %s %s);", c->args[0], c->name, c->args[1]);
    return;
  }
  o += (size_t)snprintf(out + o, n - o, "SELECT quote(%s(", c->name);
  for (int i = 0; i < c->argc; i++)
    o += (size_t)snprintf(out + o, n - o, "%s%s", i ? "," : "", c->args[i]);
  snprintf(out + o, n - o, "));");
}

/* The built-in table against sqlite3's PRAGMA function_list: every
** (name, nArg) of ours exists there with the same public flags, and every
** core function there exists here (extension / shell functions excepted). */
typedef struct FlRow {
  char name[40];
  int narg;
  unsigned flags;
  int seen;
} FlRow;
static FlRow fl_rows[400];
static int fl_n;
static int fl_mine_ok, fl_mine_bad;
#define FL_MASK (SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY | SQLITE_SUBTYPE | SQLITE_INNOCUOUS)
static void fl_cb(void *arg, const FuncDef *f, int builtin) {
  (void)arg;
  (void)builtin;
  for (int i = 0; i < fl_n; i++) {
    if (!strcmp(fl_rows[i].name, f->name) && fl_rows[i].narg == f->n_arg) {
      fl_rows[i].seen = 1;
      if ((fl_rows[i].flags & FL_MASK) == (f->flags & FL_MASK)) fl_mine_ok++;
      else {
        fl_mine_bad++;
        printf("flags differ: %s/%d ours %x sqlite3 %x\n", f->name, f->n_arg, f->flags & FL_MASK,
               fl_rows[i].flags & FL_MASK);
      }
      return;
    }
  }
  fl_mine_bad++;
  printf("not in sqlite3: %s/%d\n", f->name, f->n_arg);
}
static void check_function_list(void) {
  FILE *p = popen("sqlite3 :memory: 'SELECT name, narg, flags FROM pragma_function_list' 2>/dev/null", "r");
  char line[200];
  while (p && fl_n < 400 && fgets(line, sizeof line, p)) {
    FlRow *r = &fl_rows[fl_n];
    if (sscanf(line, "%39[^|]|%d|%u", r->name, &r->narg, &r->flags) == 3) fl_n++;
  }
  if (p) pclose(p);
  if (fl_n == 0) return;
  func_list(&mock_db, fl_cb, NULL);
  CHECK_INT(fl_mine_bad, 0);
  CHECK(fl_mine_ok > 100);
  static const char *const not_core[] = {
      "bm25", "fts3_tokenizer", "fts5", "fts5_source_id", "highlight", "match", "matchinfo",
      "offsets", "optimize", "rtreecheck", "rtreedepth", "rtreenode", "snippet", "decimal",
      "decimal_add", "decimal_cmp", "decimal_mul", "decimal_sub", "decimal_sum", "edit",
      "ieee754", "ieee754_exponent", "ieee754_from_blob", "ieee754_mantissa", "ieee754_to_blob",
      "lsmode", "readfile", "writefile", "regexp", "regexpi", "sha3", "sha3_query",
      "shell_add_schema", "shell_escape_crnl", "shell_idquote", "shell_int32",
      "shell_module_schema", "shell_putsnl", "sqlar_compress", "sqlar_uncompress", "usleep",
      "zipfile", "zipfile_cds"};
  int missing = 0;
  for (int i = 0; i < fl_n; i++) {
    if (fl_rows[i].seen) continue;
    int skip = 0;
    for (size_t k = 0; k < sizeof(not_core) / sizeof(not_core[0]); k++)
      if (!strcmp(not_core[k], fl_rows[i].name)) skip = 1;
    if (!skip) {
      missing++;
      printf("missing here: %s/%d\n", fl_rows[i].name, fl_rows[i].narg);
    }
  }
  CHECK_INT(missing, 0);
}

int main(void) {
  mock_db.enc = SQLITE_UTF8;
  check_function_list();
  int ncase = (int)(sizeof(cases) / sizeof(cases[0]));
  for (int i = 0; i < ncase; i++) {
    Case *c = &cases[i];
    if (c->agg) c->ours = mock_agg(c->name, c->argc, c->args, c->extra);
    else c->ours = mock_call(c->name, c->argc, c->args);
  }
  /* Baked-in checks (sqlite3 3.40.1). */
  const char *a1[] = {"-9223372036854775808"};
  char *z = mock_call("abs", 1, a1);
  CHECK_STR(z, "ERROR: integer overflow");
  free(z);
  const char *r2[] = {"9223372036854775807", "1"};
  z = mock_agg("sum", 2, r2, NULL);
  CHECK_STR(z, "ERROR: integer overflow");
  free(z);
  const char *e3[] = {"'x'", "'x'", "'ab'"};
  z = mock_call("like", 3, e3);
  CHECK_STR(z, "ERROR: ESCAPE expression must be a single character");
  free(z);
  z = mock_call("changes", 0, NULL);
  CHECK_STR(z, "3");
  free(z);
  z = mock_call("total_changes", 0, NULL);
  CHECK_STR(z, "42");
  free(z);
  z = mock_call("last_insert_rowid", 0, NULL);
  CHECK_STR(z, "7");
  free(z);
  const char *rb[] = {"16"};
  z = mock_call("randomblob", 1, rb);
  CHECK(z[0] == 'X' && strlen(z) == 35);
  free(z);
  z = mock_call("random", 0, NULL);
  CHECK(z[0] != 'E');
  free(z);
  /* 'now' is the statement time the VM gives (mocked: 1700000000123 ms). */
  const char *nw[] = {"'now'"};
  z = mock_call("datetime", 1, nw);
  CHECK_STR(z, "'2023-11-14 22:13:20'");
  free(z);
  z = mock_call("current_date", 0, NULL);
  CHECK_STR(z, "'2023-11-14'");
  free(z);
  const char *fs[] = {"'%f'", "'now'"};
  z = mock_call("strftime", 2, fs);
  CHECK_STR(z, "'20.123'");
  free(z);
  /* Lookup rules */
  int wrong = 0;
  CHECK(func_find(&mock_db, "substr", 4, &wrong) == NULL && wrong == 1);
  CHECK(func_find(&mock_db, "nosuch", 1, &wrong) == NULL && wrong == 0);
  CHECK(func_find(&mock_db, "SUBSTR", 2, NULL) != NULL);
  CHECK(func_find(&mock_db, "max", 0, &wrong) == NULL && wrong == 1);
  CHECK(func_find(&mock_db, "coalesce", 1, &wrong) == NULL && wrong == 1);
  CHECK(func_find(&mock_db, "min", 1, NULL)->flags & FUNC_AGGREGATE);
  CHECK(func_find(&mock_db, "char", 0, NULL) != NULL);
  CHECK(func_find(&mock_db, "concat", 2, NULL) == NULL); /* not in 3.40 */
  CHECK((func_find(&mock_db, "like", 2, NULL)->flags & FUNC_CASE_SENSITIVE) == 0);
  mock_db.flags |= SQLITE_CaseSensitiveLike;
  CHECK((func_find(&mock_db, "like", 2, NULL)->flags & FUNC_CASE_SENSITIVE) != 0);
  const char *lk[] = {"'A%'", "'abc'"};
  z = mock_call("like", 2, lk);
  CHECK_STR(z, "0");
  free(z);
  mock_db.flags &= ~(u32)SQLITE_CaseSensitiveLike;
  z = mock_call("like", 2, lk);
  CHECK_STR(z, "1");
  free(z);

  /* Differential run. */
  char path[] = "/tmp/shale_func_XXXXXX";
  int fd = mkstemp(path);
  FILE *f = fdopen(fd, "w");
  char sql[2048];
  for (int i = 0; i < ncase; i++) {
    sql_of(&cases[i], sql, sizeof sql);
    fprintf(f, "SELECT '#%d';\n%s\n", i, sql);
  }
  fprintf(f, "SELECT '#%d';\n", ncase);
  fclose(f);
  char cmd[256];
  snprintf(cmd, sizeof cmd, "sqlite3 :memory: < %s 2>/dev/null", path);
  FILE *p = popen(cmd, "r");
  char line[8192];
  int cur = -1, got = 0, seen = 0;
  char *vals[sizeof(cases) / sizeof(cases[0]) + 1] = {0};
  while (p && fgets(line, sizeof line, p)) {
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
    if (line[0] == '#' && n > 1 && line[1] >= '0' && line[1] <= '9') {
      cur = atoi(line + 1);
      seen++;
      continue;
    }
    if (cur >= 0 && cur < ncase && vals[cur] == NULL) vals[cur] = strdup(line);
    got++;
  }
  if (p) pclose(p);
  unlink(path);
  if (seen < ncase) printf("func_builtin: sqlite3 CLI missing? (%d markers)\n", seen);
  else {
    for (int i = 0; i < ncase; i++) {
      Case *c = &cases[i];
      sql_of(c, sql, sizeof sql);
      int ok;
      if (vals[i] == NULL) ok = strncmp(c->ours, "ERROR", 5) == 0;
      else ok = strcmp(vals[i], c->ours) == 0;
      if (ok) testlib_passed++;
      else
        testlib_fail(__FILE__, __LINE__, "%s -> ours %s, sqlite3 %s", sql, c->ours,
                     vals[i] ? vals[i] : "(error)");
    }
  }
  for (int i = 0; i < ncase; i++) {
    free(cases[i].ours);
    free(vals[i]);
  }
  return testlib_finish("func_builtin");
}
