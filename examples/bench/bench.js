// bench.js — runs workload.js on each requested storage and prints one JSON
// document: { engine, version, userAgent, rows, reps, results: [{ storage,
// status: 'ok' | 'unavailable' | 'error', steps: { step: ms }, checks:
// { step: checksum }, total_ms }] }.  A storage this build does not offer
// (OPFS, IndexedDB in browsers without them) is reported 'unavailable'.
// Also sets window.benchResult (for scripts and the browser test).
import { open } from 'shale-sql';
import { runWorkload } from './workload.js';

const params = new URLSearchParams(location.search);
const n = Number(params.get('n') ?? 100000);
const reps = Math.max(1, Number(params.get('reps') ?? 1));
const storages = (params.get('storages') ?? 'memory,opfs,idb').split(',').map((s) => s.trim()).filter(Boolean);
const status = document.getElementById('status');
const form = document.getElementById('form');
form.n.value = n; form.storages.value = storages.join(','); form.reps.value = reps;

async function benchStorage(storage) {
  let best = null;
  for (let r = 0; r < reps; r++) {
    let db;
    try {
      db = await open(`shale-bench-${storage}.db`, { storage });
    } catch (e) {
      // the build has no such storage (yet), or the browser lacks the API
      if (e?.code === 'SQLITE_CANTOPEN' || /not available/.test(e?.message)) {
        return { storage, status: 'unavailable', reason: e.message };
      }
      throw e;
    }
    try {
      status.textContent = `${storage}: run ${r + 1} of ${reps}…`;
      const steps = await runWorkload(db, n, (s) => { status.textContent = `${storage}: ${s.step} ${s.ms} ms`; });
      if (!best) best = steps;
      else steps.forEach((s, i) => { if (s.ms < best[i].ms) best[i] = s; });
      await db.exec('DROP TABLE IF EXISTS t; DROP TABLE IF EXISTS u');
    } finally {
      await db.close();
    }
  }
  return {
    storage, status: 'ok',
    steps: Object.fromEntries(best.map((s) => [s.step, s.ms])),
    checks: Object.fromEntries(best.map((s) => [s.step, s.check])),
    total_ms: Math.round(best.reduce((t, s) => t + s.ms, 0) * 100) / 100,
  };
}

async function main() {
  const results = [];
  for (const storage of storages) {
    try {
      results.push(await benchStorage(storage));
    } catch (e) {
      results.push({ storage, status: 'error', error: String(e?.message ?? e) });
    }
  }
  let version = null;
  try {
    const db = await open(':memory:');
    version = (await db.prepare('SELECT sqlite_version() AS v').get()).v;
    await db.close();
  } catch { /* reported as null */ }
  return { engine: 'shale-sql', version, userAgent: navigator.userAgent, rows: n, reps, results };
}

main().then((r) => {
  window.benchResult = r;
  document.getElementById('result').textContent = JSON.stringify(r, null, 2);
  status.textContent = 'done';
}, (e) => {
  window.benchResult = { error: String(e?.stack ?? e) };
  status.textContent = `failed: ${e}`;
});
