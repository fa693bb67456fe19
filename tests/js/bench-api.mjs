// bench-api.mjs — per-call cost of the JS API on both wasm builds (not a
// test: `node tests/js/bench-api.mjs [rows]`, after `make wasm`).  Memory
// storage, so it measures the glue + engine, not I/O:
//   insert  N single-row INSERTs with a prepared run() inside a transaction
//   get     N point SELECTs by primary key with get()
//   all     one all() returning N rows
// `node tests/js/bench-api.mjs [rows] file` does the same on storage 'file'.
// Prints the best of 3 runs (after a warm-up) in µs per call (per row for
// all()): the machine may be shared.  SHALE_WASM_DIR as for the tests.
import fs from 'node:fs';
import path from 'node:path';
import { builds, tmpdir, tmpfile } from './helpers.mjs';

const N = Number(process.argv[2] || 100000);
const STORAGE = process.argv[3] || 'memory'; // or 'file' (node:fs, a temp file)
const dir = STORAGE === 'memory' ? null : tmpdir();

async function bench(api) {
  const name = dir ? tmpfile(dir) : ':memory:';
  const db = await api.open(name, { storage: STORAGE });
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
  if (dir) for (const f of fs.readdirSync(dir)) fs.rmSync(path.join(dir, f));
  return out;
}

for (const b of builds) {
  const api = await b.load();
  await bench(api); // warm-up (JIT, memory growth)
  const r = { insert: Infinity, get: Infinity, all: Infinity };
  for (let k = 0; k < 3; k++) {
    const x = await bench(api);
    for (const m in r) r[m] = Math.min(r[m], x[m]);
  }
  const us = (ms) => ((ms * 1000) / N).toFixed(2).padStart(7);
  console.log(`${b.name.padEnd(22)} ${STORAGE} N=${N}  insert run(): ${r.insert.toFixed(0).padStart(6)} ms (${us(r.insert)} µs/call)` +
    `  get(): ${r.get.toFixed(0).padStart(6)} ms (${us(r.get)} µs/call)` +
    `  all(): ${r.all.toFixed(0).padStart(6)} ms (${us(r.all)} µs/row)`);
}
if (dir) fs.rmSync(dir, { recursive: true });
