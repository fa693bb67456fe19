// bench.js — the page: reads the URL parameters, runs the benchmark on the
// page or (worker=1) in a dedicated Worker, prints the JSON and sets
// window.benchResult (for scripts and the browser test).  JSON shape:
// { engine, version, userAgent, context: 'window' | 'worker', rows, reps,
//   results: [{ storage, status: 'ok' | 'unavailable' | 'error',
//               steps: { step: ms }, checks: { step: checksum }, total_ms }] }.
import { open } from 'shale-sql';
import { runBench } from './bench-core.js';

const params = new URLSearchParams(location.search);
const n = Number(params.get('n') ?? 100000);
const reps = Math.max(1, Number(params.get('reps') ?? 1));
const storages = (params.get('storages') ?? 'memory,opfs,idb').split(',').map((s) => s.trim()).filter(Boolean);
const inWorker = params.get('worker') === '1';
const status = document.getElementById('status');
const form = document.getElementById('form');
form.n.value = n; form.storages.value = storages.join(','); form.reps.value = reps; form.worker.checked = inWorker;
const onStatus = (s) => { status.textContent = s; };

function runInWorker() {
  return new Promise((resolve) => {
    const w = new Worker(new URL('./bench-worker.js', import.meta.url), { type: 'module' });
    w.onmessage = ({ data }) => {
      if (data.status) onStatus(data.status);
      if (data.result) { w.terminate(); resolve(data.result); }
    };
    w.onerror = (e) => { w.terminate(); resolve({ error: `worker: ${e.message}` }); };
    w.postMessage({ pkg: import.meta.resolve('shale-sql'), n, reps, storages });
  });
}

const run = inWorker ? runInWorker() : runBench({ open, n, reps, storages, context: 'window', onStatus });
run.then((r) => {
  window.benchResult = r;
  document.getElementById('result').textContent = JSON.stringify(r, null, 2);
  status.textContent = r.error ? `failed: ${r.error}` : 'done';
}, (e) => {
  window.benchResult = { error: String(e?.stack ?? e) };
  status.textContent = `failed: ${e}`;
});
