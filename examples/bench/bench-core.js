// bench-core.js — runs workload.js on each requested storage with a given
// open() and returns the JSON document the page prints.  Used by bench.js on
// the page and by bench-worker.js inside a dedicated Worker.
import { runWorkload } from './workload.js';

async function benchStorage(open, storage, n, reps, onStatus) {
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
      onStatus(`${storage}: run ${r + 1} of ${reps}…`);
      const steps = await runWorkload(db, n, (s) => onStatus(`${storage}: ${s.step} ${s.ms} ms`));
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

// runBench({ open, n, reps, storages, context, onStatus }) -> the JSON document.
export async function runBench({ open, n, reps, storages, context, onStatus = () => {} }) {
  const results = [];
  for (const storage of storages) {
    try {
      results.push(await benchStorage(open, storage, n, reps, onStatus));
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
  return { engine: 'shale-sql', version, userAgent: navigator.userAgent, context, rows: n, reps, results };
}
