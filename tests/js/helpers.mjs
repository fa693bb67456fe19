// helpers.mjs — shared by the JS tests: which builds, which storages, and a
// storage wrapper that delays every operation and reorders completions.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '../..');
export const wasmDir = process.env.SHALE_WASM_DIR || path.join(repo, 'build/wasm');

export const builds = [
  { name: 'edge (wasi)', load: () => import(path.join(wasmDir, 'edge.js')) },
  { name: 'browser (emscripten)', load: () => import(path.join(wasmDir, 'browser.js')) },
];

// A deterministic PRNG so failures reproduce (seed from SHALE_JS_SEED).
export function rng(seed = Number(process.env.SHALE_JS_SEED || 12345)) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

// Wraps a storage: each operation starts after a random delay and its
// completion is posted after another random delay, so completions arrive
// out of submission order and the engine's step() yields SHALE_IO often.
export function delayed(inner, seed) {
  const r = rng(seed);
  const w = Object.create(inner);
  w.beforeOp = () => new Promise((res) => setTimeout(res, Math.floor(r() * 3)));
  w.completionDelay = () => 1 + Math.floor(r() * 4);
  w.stats = { ops: 0 };
  for (const m of ['read', 'write', 'truncate', 'sync']) {
    w[m] = (...a) => { w.stats.ops++; return inner[m](...a); };
  }
  return w;
}

// setup(api) returns the options factory for one suite (shared state, such
// as a MemoryStorage, lives across the suite's reopens).
export const storages = [
  { name: 'memory', setup: () => () => ({ storage: 'memory' }) },
  { name: 'file', setup: () => () => ({ storage: 'file' }) },
  { name: 'file, delayed+reordered', setup: () => () => ({ storage: 'file', wrapStorage: (s) => delayed(s) }) },
  { name: 'js MemoryStorage, delayed+reordered', setup: (api) => {
    const st = new api.MemoryStorage();
    return () => ({ storage: st, wrapStorage: (s) => delayed(s, 99) });
  } },
  { name: 'js MemoryStorage without sync methods', setup: (api) => {
    const st = new api.MemoryStorage({ syncMethods: false });
    return () => ({ storage: st });
  } },
  { name: 'PageStorage over a Map (odd page size, small batches), delayed+reordered', setup: (api) => {
    const st = new api.PageStorage(api.mapPageStore(), { pageSize: 1000, batch: 3 });
    return () => ({ storage: st, wrapStorage: (s) => delayed(s, 7) });
  } },
];

let n = 0;
export function tmpdir() {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'shale-js-'));
  return d;
}
export function tmpfile(dir, base = 'db') {
  return path.join(dir, `${base}-${process.pid}-${++n}.db`);
}
