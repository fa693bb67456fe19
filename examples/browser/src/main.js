// main.js — the playground page: editor, toolbar, results, schema sidebar,
// storage switch, open/download.  The engine lives in worker.js, reached
// through EngineClient (client.js).
import { createEditor } from './editor.js';
import { EngineClient, Interrupted } from './client.js';
import { EXAMPLES, WELCOME } from './examples.js';
import { h, fmtMs, fmtBytes, oneLine, resultCard, errorCard, noticeCard, planView, schemaTree } from './render.js';

const KEY_SQL = 'shale-playground:sql';
const KEY_STORAGE = 'shale-playground:storage';
const $ = (id) => document.getElementById(id);
const store = {
  get: (k) => { try { return localStorage.getItem(k); } catch { return null; } },
  set: (k, v) => { try { localStorage.setItem(k, v); } catch { /* private mode */ } },
};

const results = $('results');
const statusEl = $('status');
const openSchema = new Set();
let lastSchema = [];

const client = new EngineClient({
  workerURL: new URL('./worker.js', import.meta.url),
  wasmURL: new URL('./shale-browser.wasm', import.meta.url),
});

const editor = createEditor($('editor'), {
  doc: store.get(KEY_SQL) ?? WELCOME,
  onRun: () => run(),
  onExplain: () => explain(),
  onStop: () => stop(),
  onChange: (text) => store.set(KEY_SQL, text),
  onSelect: (selected) => { $('run-label').textContent = selected ? 'Run selection' : 'Run all'; },
});
// The run keys work outside the editor too.
document.addEventListener('keydown', (e) => {
  if (editor.view.dom.contains(e.target) || !(e.ctrlKey || e.metaKey)) return;
  if (e.key === 'Enter') { e.preventDefault(); if (e.shiftKey) explain(); else run(); }
  if (e.key === '.') { e.preventDefault(); stop(); }
});

// ---------------------------------------------------------------- status --
let timer = null;
// body[data-done] counts finished actions (runs, plans, opens): the
// end-to-end test waits on it.
function setBusy(what) {
  if (!what) document.body.dataset.done = String(Number(document.body.dataset.done || 0) + 1);
  document.body.classList.toggle('busy', !!what);
  $('stop').disabled = !what;
  for (const id of ['run', 'explain', 'download', 'reset']) $(id).disabled = !!what;
  $('open-label').classList.toggle('disabled', !!what);
  clearInterval(timer);
  if (what) {
    statusEl.className = 'status';
    const t0 = performance.now();
    const tick = () => { statusEl.textContent = `${what}… ${fmtMs(performance.now() - t0)}`; };
    tick();
    timer = setInterval(tick, 100);
  }
}
function setStatus(text, cls = '') {
  clearInterval(timer); // the outcome replaces the running timer
  statusEl.textContent = text;
  statusEl.className = `status ${cls}`;
}

// The position of an error in the document, and the line around it.
function locate(err, base) {
  let from, to;
  if (err.offset !== undefined) {
    from = base + err.offset;
    const rest = editor.text().slice(from);
    const m = /^("[^"]*"|`[^`]*`|\[[^\]]*\]|'[^']*'|\w+|\S)/.exec(rest);
    to = from + (m ? m[0].length : 1);
  } else if (err.start !== undefined) {
    const stmt = editor.text().slice(base + err.start, base + err.end);
    from = base + err.start + (stmt.length - stmt.trimStart().length);
    to = base + err.start + stmt.trimEnd().length;
  } else {
    return null;
  }
  const lc = editor.lineCol(from);
  return { from, to, line: lc.line, col: lc.col, text: lc.text };
}

// ------------------------------------------------------------------- run --
async function run() {
  if (client.busy) return;
  const { text, from, selection } = editor.target();
  if (!text.trim()) return;
  editor.clearErrors();
  results.replaceChildren();
  $('summary').textContent = '';
  setBusy('Running');
  let n = 0, failed = null;
  const t0 = performance.now();
  try {
    const done = await client.request('run', { sql: text }, (msg) => {
      if (msg.type === 'result') { n++; results.append(resultCard(msg)); }
      if (msg.type === 'error') {
        failed = msg;
        const where = locate(msg, from);
        results.append(errorCard({ ...msg, where }));
        if (where) editor.markError(where.from, where.to, msg.message);
      }
    });
    const scope = selection ? 'selection' : 'script';
    $('summary').textContent = `${n} statement${n === 1 ? '' : 's'} · ${fmtMs(done.ms)}`;
    if (failed) setStatus(`Error in the ${scope}`, 'bad');
    else setStatus(`Ran the ${scope} in ${fmtMs(done.ms)}`, 'good');
    if (!n && !failed) results.append(noticeCard('Nothing to run: the text holds no statement.'));
  } catch (err) {
    if (err instanceof Interrupted) {
      $('summary').textContent = `${n} statement${n === 1 ? '' : 's'} · interrupted`;
      results.append(noticeCard(`Interrupted after ${fmtMs(performance.now() - t0)}. The engine worker was ` +
        'stopped and restarted; the database was reopened (the running statement and any open transaction were rolled back).', 'is-interrupted'));
      setStatus('Interrupted', 'bad');
    } else {
      results.append(errorCard({ message: err.message, code: err.code }));
      setStatus('Engine error', 'bad');
    }
  } finally {
    await refreshSchema();
    setBusy(null);
  }
}

async function explain() {
  if (client.busy) return;
  const { text, from } = editor.target();
  if (!text.trim()) return;
  editor.clearErrors();
  results.replaceChildren();
  setBusy('Planning');
  try {
    const plans = await client.request('explain', { sql: text });
    plans.forEach((p, i) => results.append(h('section', { class: 'result is-plan' },
      h('header', { class: 'res-head' }, h('span', { class: 'res-index' }, `#${i + 1}`),
        h('code', { class: 'res-sql', title: p.sql }, oneLine(p.sql).slice(0, 140)),
        h('span', { class: 'res-meta' }, 'query plan')),
      p.rows.length ? planView(p.rows) : h('p', { class: 'muted pad' }, 'No plan steps (this statement reads no table).'))));
    if (!plans.length) results.append(noticeCard('Nothing to explain.'));
    $('summary').textContent = `query plan of ${plans.length} statement${plans.length === 1 ? '' : 's'}`;
    setStatus('Query plan', 'good');
  } catch (err) {
    if (err instanceof Interrupted) { setStatus('Interrupted', 'bad'); return; }
    const where = locate(err, from);
    results.append(errorCard({ ...err, message: err.message, where }));
    if (where) editor.markError(where.from, where.to, err.message);
    setStatus('Error', 'bad');
  } finally {
    setBusy(null);
  }
}

async function stop() {
  if (!client.busy) return;
  setStatus('Stopping…');
  await client.interrupt();
}

// ---------------------------------------------------------------- schema --
async function refreshSchema() {
  let s;
  try { s = await client.request('schema'); } catch { return; }
  for (const d of $('schema').querySelectorAll('details[open]')) openSchema.add(d.dataset.name);
  for (const d of $('schema').querySelectorAll('details:not([open])')) openSchema.delete(d.dataset.name);
  lastSchema = s.objects;
  $('schema').replaceChildren(schemaTree(s.objects, { onPreview: preview, open: openSchema }));
  $('db-size').textContent = fmtBytes(s.bytes);
  const completion = {};
  for (const o of s.objects) if (o.columns) completion[o.name] = o.columns.map((c) => c.name);
  editor.setSchema(completion);
}

async function preview(name) {
  if (client.busy) return;
  results.replaceChildren();
  setBusy('Running');
  try {
    await client.request('run', { sql: `SELECT * FROM "${name.replace(/"/g, '""')}" LIMIT 100;` }, (msg) => {
      results.append(msg.type === 'result' ? resultCard(msg) : errorCard(msg));
    });
    setStatus(`Preview of ${name}`, 'good');
  } catch (err) {
    if (!(err instanceof Interrupted)) results.append(errorCard(err));
  } finally {
    setBusy(null);
  }
}

// --------------------------------------------------------------- storage --
function showStorage(info) {
  for (const b of document.querySelectorAll('[data-storage]')) {
    const k = b.dataset.storage;
    const available = !!info.available?.[k];
    b.disabled = !available;
    if (!available) b.title = `${b.textContent}: not available in this browser or build`;
    b.setAttribute('aria-checked', String(k === client.storage));
    b.classList.toggle('active', k === client.storage);
  }
}

async function switchStorage(kind) {
  if (client.busy || kind === client.storage) return;
  setBusy('Switching');
  try {
    await client.switchStorage(kind);
    store.set(KEY_STORAGE, kind);
    results.replaceChildren(noticeCard(kind === 'memory'
      ? 'Storage: memory. This database lives in the worker only and is gone when the page closes.'
      : `Storage: ${kind === 'opfs' ? 'OPFS' : 'IndexedDB'}. Every committed change is kept across reloads.`));
    setStatus(`Storage: ${kind}`);
  } catch (err) {
    results.replaceChildren(errorCard(err));
  } finally {
    showStorage(client.info);
    await refreshSchema();
    setBusy(null);
  }
}

// ------------------------------------------------------ open / download --
async function openFile(file) {
  if (!file || client.busy) return;
  setBusy('Opening');
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const r = await client.request('import', { bytes }, null, [bytes.buffer]);
    await refreshSchema();
    const tables = lastSchema.filter((o) => o.type === 'table').map((o) => o.name);
    results.replaceChildren(noticeCard(`Opened ${file.name} (${fmtBytes(file.size)}) into ${client.storage} storage: ` +
      (tables.length ? `tables ${tables.join(', ')}.` : 'no tables.') +
      (r.converted ? ' It was in WAL mode; the copy here uses a rollback journal.' : '')));
    setStatus(`Opened ${file.name}`, 'good');
  } catch (err) {
    results.replaceChildren(errorCard({ message: `${file.name}: ${err.message}`, code: err.code }));
    setStatus('Could not open the file', 'bad');
  } finally {
    $('open-file').value = '';
    await refreshSchema();
    setBusy(null);
  }
}

async function download() {
  if (client.busy) return;
  let bytes;
  try {
    bytes = await client.request('export');
  } catch (err) {
    results.replaceChildren(errorCard({ message: `Download failed: ${err.message}`, code: err.code }));
    return;
  }
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/vnd.sqlite3' }));
  const a = h('a', { href: url, download: 'shale-playground.db' });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  setStatus(`Downloaded ${fmtBytes(bytes.length)}`, 'good');
}

let resetArmed = null;
async function reset() {
  const btn = $('reset');
  if (!resetArmed) {
    btn.textContent = 'Really reset?';
    resetArmed = setTimeout(() => { resetArmed = null; btn.textContent = 'Reset'; }, 3000);
    return;
  }
  clearTimeout(resetArmed);
  resetArmed = null;
  btn.textContent = 'Reset';
  if (client.busy) return;
  setBusy('Resetting');
  try {
    await client.request('reset');
    results.replaceChildren(noticeCard('The database is empty again.'));
    setStatus('Reset', 'good');
  } catch (err) {
    if (!(err instanceof Interrupted)) results.replaceChildren(errorCard(err));
  } finally {
    await refreshSchema();
    setBusy(null);
  }
}

// ------------------------------------------------------------------ boot --
$('run').addEventListener('click', () => run());
$('explain').addEventListener('click', () => explain());
$('stop').addEventListener('click', () => stop());
$('download').addEventListener('click', () => download());
$('reset').addEventListener('click', () => reset());
$('open-file').addEventListener('change', (e) => openFile(e.target.files[0]));
for (const b of document.querySelectorAll('[data-storage]')) b.addEventListener('click', () => switchStorage(b.dataset.storage));
for (const [name] of EXAMPLES) $('examples').append(h('option', { value: name }, name));
$('examples').addEventListener('change', (e) => {
  const ex = EXAMPLES.find(([n]) => n === e.target.value);
  if (ex) { editor.setText(ex[1]); editor.focus(); }
  e.target.value = '';
});
// Files dropped anywhere on the page open like "Open .db".
document.addEventListener('dragover', (e) => e.preventDefault());
document.addEventListener('drop', (e) => { e.preventDefault(); openFile(e.dataTransfer?.files?.[0]); });

const ready = (async () => {
  try {
    const info = await client.start(store.get(KEY_STORAGE) || 'opfs');
    showStorage(info);
    $('engine-version').textContent = `Shale ${info.version} (SQLite-compatible) · WebAssembly`;
    setStatus(`Ready · ${info.storage === 'memory' ? 'memory' : info.storage.toUpperCase()} storage`);
    await refreshSchema();
    editor.focus();
    return info;
  } catch (err) {
    setStatus('The engine failed to start', 'bad');
    results.replaceChildren(errorCard({ message: String(err.message || err), code: 'startup' }));
    throw err;
  }
})();

// For the end-to-end test and the curious: window.playground.
window.playground = { client, editor, ready, run, explain, stop };
