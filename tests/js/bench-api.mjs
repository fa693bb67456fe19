// bench-api.mjs — per-call cost of the JS API on both wasm builds (not a
// test: `node tests/js/bench-api.mjs [rows]`, after `make wasm`).  Memory
// storage, so it measures the glue + engine, not I/O:
//   insert  N single-row INSERTs with a prepared run() inside a transaction
//   get     N point SELECTs by primary key with get()
//   all     one all() returning N rows
// Prints µs per call (per row for all()).  SHALE_WASM_DIR as for the tests.
import { builds } from './helpers.mjs';

const N = Number(process.argv[2] || 100000);

async function bench(api) {
  const db = await api.open(':memory:', { storage: 'memory' });
  await db.exec('CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c REAL)');
  const out = {};
  const ins = db.prepare('INSERT INTO t(a, b, c) VALUES (?, ?, ?)');
  let t = performance.now();
  await db.transaction(async () => {
    for (let i = 1; i <= N; i++) await ins.run(i, 'row ' + i, i / 3);
  });
  out.insert = performance.now() - t;
  const sel = db.prepare('SELECT a, b, c FROM t WHERE a = ?');
  t = performance.now();
  let sum = 0;
  for (let i = 1; i <= N; i++) sum += (await sel.get(i)).a;
  out.get = performance.now() - t;
  if (sum !== (N * (N + 1)) / 2) throw new Error('get checksum ' + sum);
  const scan = db.prepare('SELECT a, b, c FROM t');
  t = performance.now();
  const rows = await scan.all();
  out.all = performance.now() - t;
  if (rows.length !== N || rows[N - 1].b !== 'row ' + N) throw new Error('all() result');
  ins.finalize(); sel.finalize(); scan.finalize();
  await db.close();
  return out;
}

for (const b of builds) {
  const api = await b.load();
  await bench(api); // warm-up (JIT, memory growth)
  const r = await bench(api);
  const us = (ms) => ((ms * 1000) / N).toFixed(2).padStart(7);
  console.log(`${b.name.padEnd(22)} N=${N}  insert run(): ${r.insert.toFixed(0).padStart(6)} ms (${us(r.insert)} µs/call)` +
    `  get(): ${r.get.toFixed(0).padStart(6)} ms (${us(r.get)} µs/call)` +
    `  all(): ${r.all.toFixed(0).padStart(6)} ms (${us(r.all)} µs/row)`);
}
