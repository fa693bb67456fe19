// workload.js — the workload of bench/bench.c (`make bench`), step for step:
// the same tables, SQL, keys, row counts and checksums (each step returns
// the sum of column 0 of every row its queries returned, as bench.c's
// run_keyed/query_sum do), so the numbers sit next to the native ones and
// next to other wasm SQL engines running the same steps.
//
// runWorkload(db, n, onStep?) -> [{ step, ms, check }] on an open shale-sql
// Database (any storage).  Keys and row text follow bench.c exactly.

export const STEP_NAMES = ['bulk insert', 'rowid lookups', 'create index', 'index lookups',
  'index range scans', 'group by', 'like scan', 'join', 'order by unindexed', 'update by key',
  'delete by predicate'];

export function keys(n) {
  return {
    spread: (i) => ((i * 7919) % n) + 1,
    b: (i) => (i * 104729) % n,
  };
}

// Runs sql once per key (or once with no key); sums column 0 of every row.
async function runKeyed(db, sql, count, key, twoKeys = false) {
  const st = db.prepare(sql).raw(true);
  let sum = 0;
  try {
    for (let i = 0; i < count; i++) {
      const params = key ? (twoKeys ? [key(i), key(i) + 100] : [key(i)]) : [];
      for (const row of await st.all(...params)) sum += Number(row[0] ?? 0);
    }
  } finally {
    st.finalize();
  }
  return sum;
}
const querySum = (db, sql) => runKeyed(db, sql, 1, null);

export function steps(n) {
  const k = keys(n);
  return {
    'bulk insert': async (db) => {
      await db.exec('BEGIN');
      const ins = db.prepare('INSERT INTO t(a,b,c,d) VALUES(?,?,?,?)');
      for (let i = 0; i < n; i++) {
        // bench.c: snprintf("row %d text %x", i, (unsigned)(i * 2654435761u))
        await ins.run(i, k.b(i), i % 100, `row ${i} text ${(Math.imul(i, 2654435761) >>> 0).toString(16)}`);
      }
      ins.finalize();
      for (let i = 0; i < 100; i++) await db.exec(`INSERT INTO u VALUES(${i}, 'name${i}')`);
      await db.exec('COMMIT');
      return querySum(db, 'SELECT count(*) FROM t');
    },
    'rowid lookups': (db) => runKeyed(db, 'SELECT a FROM t WHERE id=?', Math.floor(n / 2), k.spread),
    'create index': async (db) => { await db.exec('CREATE INDEX tb ON t(b)'); return 0; },
    'index lookups': (db) => runKeyed(db, 'SELECT a FROM t WHERE b=?', Math.floor(n / 2), k.spread),
    'index range scans': (db) => runKeyed(db, 'SELECT count(*) FROM t WHERE b BETWEEN ? AND ?', 2000, k.spread, true),
    'group by': (db) => querySum(db, 'SELECT sum(a) FROM t GROUP BY c'),
    'like scan': (db) => querySum(db, "SELECT count(*) FROM t WHERE d LIKE '%text 1%'"),
    'join': (db) => querySum(db, "SELECT count(*) FROM t JOIN u ON t.c = u.id WHERE u.name LIKE 'name1%'"),
    'order by unindexed': (db) => querySum(db, 'SELECT a FROM (SELECT a FROM t ORDER BY d LIMIT 10)'),
    'update by key': async (db) => {
      await db.exec('BEGIN');
      const r = await runKeyed(db, 'UPDATE t SET a=a+1 WHERE id=?', Math.floor(n / 4), k.spread);
      await db.exec('COMMIT');
      return r + await querySum(db, 'SELECT sum(a) FROM t');
    },
    'delete by predicate': async (db) => {
      await db.exec('DELETE FROM t WHERE a % 10 = 0');
      return querySum(db, 'SELECT count(*) FROM t');
    },
  };
}

export async function runWorkload(db, n, onStep = () => {}) {
  await db.exec('DROP TABLE IF EXISTS t; DROP TABLE IF EXISTS u');
  await db.exec('CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b INTEGER, c INTEGER, d TEXT)');
  await db.exec('CREATE TABLE u(id INTEGER PRIMARY KEY, name TEXT)');
  const fns = steps(n);
  const out = [];
  for (const step of STEP_NAMES) {
    const t0 = performance.now();
    const check = await fns[step](db);
    const r = { step, ms: Math.round((performance.now() - t0) * 100) / 100, check };
    out.push(r);
    onStep(r);
  }
  return out;
}
