// worker.js — the engine side of the playground, in a dedicated Worker.
// The page talks to it with postMessage ({ id, type, ... } -> { id, ... });
// see client.js for the other end.  One database is open at a time.
//
// While a statement runs, this worker is inside WebAssembly and sees no
// messages; the page interrupts by terminating the worker and starting a
// new one (see README.md).  So that nothing committed is lost with it:
//  - persistent storages (OPFS, IndexedDB) hold every committed transaction
//    and are simply reopened;
//  - for storage 'memory' this worker posts a snapshot of the database
//    image to the page before a statement runs when earlier statements
//    changed it (outside explicit transactions; throttled for large
//    databases, see snapshot()), and the new worker is opened with the
//    last snapshot.
import { open, SqliteError } from 'shale-sql/browser';

const MAX_ROWS = 1000;          // rows kept per result (all are counted)
const DB_NAME = 'playground.db';

let db = null;
let storage = 'memory';
let module = null;              // the compiled WebAssembly.Module, from the page
let dirty = false;              // changed since the last snapshot (memory)

const post = (msg, transfer) => self.postMessage(msg, transfer || []);

function errorInfo(err) {
  if (err instanceof SqliteError) return { message: err.message, code: err.code, offset: err.offset };
  return { message: String(err && err.message || err), code: err && err.name || 'Error' };
}

// Which storages work here: the package may lack one ("storage 'x' is not
// available here"), or the browser (no OPFS outside secure contexts).
async function probe(kind) {
  if (kind === 'opfs' && !(self.navigator?.storage?.getDirectory)) return false;
  if (kind === 'idb' && !self.indexedDB) return false;
  try {
    const d = await open('playground-probe.db', { storage: kind, module, opfsFallback: false });
    await d.close();
    return true;
  } catch (err) {
    console.warn(`storage '${kind}' is not usable here: ${err.message}`);
    return false;
  }
}

async function openDb(kind, image) {
  if (db) { await db.close().catch(() => {}); db = null; }
  const opts = { storage: kind, module, opfsFallback: false }; // 'opfs' means OPFS, never IndexedDB
  if (image) opts.data = image;
  // A worker that was just terminated may still hold its file handles for a
  // moment: retry a busy open briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      db = await open(DB_NAME, opts);
      break;
    } catch (err) {
      if (attempt >= 20 || kind === 'memory' || err.code === 'SQLITE_NOTADB') throw err;
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  storage = kind;
  dirty = false;
}

// Snapshots cost a copy of the whole image: before a statement they are
// taken only when that costs at most ~10 % of the time since the last one
// (so a small database gets one before every statement after a write, a
// large one every few seconds); at the end of a run always.
let lastSnapshotAt = 0, lastSnapshotMs = 0;
async function snapshot(force = true) {
  if (storage !== 'memory' || !dirty || db.inTransaction) return;
  const t = performance.now();
  if (!force && t - lastSnapshotAt < 10 * lastSnapshotMs) return;
  const bytes = await db.export();
  dirty = false;
  lastSnapshotAt = performance.now();
  lastSnapshotMs = lastSnapshotAt - t;
  post({ type: 'snapshot', bytes }, [bytes.buffer]);
}

function cell(v, t) {
  if (t === 'integer' && typeof v === 'bigint') {
    return Number.isSafeInteger(Number(v)) ? Number(v) : { big: String(v) };
  }
  return v; // numbers, strings, null, Uint8Array all clone
}

// Runs every statement of sql, posting one { type: 'result' } per statement.
async function run(id, sql) {
  let index = 0;
  const t0 = performance.now();
  try {
    for await (const { statement, start, end } of db.statements(sql)) {
      await snapshot(false);
      const text = sql.slice(start, end);
      const t = performance.now();
      const res = { type: 'result', id, index: index++, start, end, sql: text.trim() };
      try {
        statement.raw(true).safeIntegers(true);
        if (statement.reader) {
          res.columns = statement.columns();
          const rows = [], types = [];
          let count = 0;
          for await (const row of statement.iterate()) {
            if (count < MAX_ROWS) {
              const rt = statement.rowTypes();
              rows.push(row.map((v, i) => cell(v, rt[i])));
              types.push(rt);
            }
            count++;
          }
          Object.assign(res, { rows, types, rowCount: count, truncated: count > MAX_ROWS });
        } else {
          const r = await statement.run();
          res.changes = Number(r.changes);
        }
        if (!statement.readonly) dirty = true;
      } catch (err) {
        const info = errorInfo(err);
        // a run-time error's offset (rare) is in bytes of the statement
        if (info.offset !== undefined) {
          info.offset = start + new TextDecoder().decode(new TextEncoder().encode(text).subarray(0, info.offset)).length;
        }
        post({ type: 'error', id, index: res.index, start, end, sql: res.sql, ms: performance.now() - t, ...info });
        dirty = true; // a failed write may have done part of its work in a transaction
        return { ok: false, ms: performance.now() - t0 };
      } finally {
        statement.finalize();
      }
      res.ms = performance.now() - t;
      res.autocommit = !db.inTransaction;
      post(res);
    }
  } catch (err) {
    // compile error: offset is already in characters of sql
    post({ type: 'error', id, index, ms: 0, ...errorInfo(err) });
    return { ok: false, ms: performance.now() - t0 };
  } finally {
    await snapshot().catch(() => {});
  }
  return { ok: true, ms: performance.now() - t0, statements: index };
}

// EXPLAIN QUERY PLAN for each statement of sql: [{ start, end, sql, rows }]
// (rows: [id, parent, detail]) or an error.
async function explain(sql) {
  const plans = [];
  for await (const { statement, start, end } of db.statements(sql)) {
    const text = sql.slice(start, end).trim();
    statement.finalize();
    if (/^explain\b/i.test(text)) continue;
    const q = db.prepare('EXPLAIN QUERY PLAN ' + text.replace(/;\s*$/, '')).raw(true);
    try {
      const rows = (await q.all()).map((r) => [r[0], r[1], r[3]]);
      plans.push({ start, end, sql: text, rows });
    } finally {
      q.finalize();
    }
  }
  return plans;
}

async function schema() {
  const q = db.prepare(`SELECT type, name, tbl_name, sql FROM sqlite_schema
                         WHERE name NOT LIKE 'sqlite_%' ORDER BY type = 'table' DESC, name`);
  const objects = await q.all();
  q.finalize();
  const all = async (sql) => {
    let st = null;
    try { st = db.prepare(sql); return await st.all(); } finally { st?.finalize(); }
  };
  for (const o of objects) {
    const quoted = `"${o.name.replace(/"/g, '""')}"`;
    if (o.type === 'table' || o.type === 'view') {
      o.columns = await all(`PRAGMA table_info(${quoted})`).catch(() => []);
    }
    if (o.type === 'table') {
      o.rows = await all(`SELECT count(*) AS n FROM ${quoted}`).then((r) => r[0].n, () => null);
    }
  }
  const pc = await db.prepare('PRAGMA page_count').raw(true).get();
  const ps = await db.prepare('PRAGMA page_size').raw(true).get();
  return { objects, bytes: pc[0] * ps[0], storage };
}

// Opens `bytes` as a scratch in-memory database and runs quick_check; throws
// SqliteError (SQLITE_NOTADB / SQLITE_CORRUPT) when the image is unusable.
async function checkImage(bytes) {
  if (bytes.length === 0) return;
  let scratch = null;
  try {
    scratch = await open(':memory:', { storage: 'memory', module, data: bytes.slice() });
    const st = scratch.prepare('PRAGMA quick_check').raw(true);
    let rows;
    try { rows = await st.all(); } finally { st.finalize(); }
    const verdict = rows.map((r) => r[0]).join('; ');
    if (verdict !== 'ok') {
      throw new SqliteError(`database disk image is malformed (${verdict})`, 'SQLITE_CORRUPT', 11);
    }
  } finally {
    await scratch?.close().catch(() => {});
  }
}

const handlers = {
  async init(msg) {
    module = msg.module;
    let available = msg.available;
    if (!available) {
      available = { memory: true };
      for (const k of ['opfs', 'idb']) available[k] = await probe(k);
    }
    let kind = available[msg.storage] ? msg.storage : 'memory';
    await openDb(kind, kind === 'memory' ? msg.image : null);
    const v = await db.prepare('SELECT sqlite_version() AS v').get();
    return { available, storage: kind, version: v.v };
  },
  async switch(msg) {
    await snapshot().catch(() => {}); // keep the memory database for a switch back
    await openDb(msg.storage, msg.storage === 'memory' ? msg.image : null);
    return { storage };
  },
  run: (msg) => run(msg.id, msg.sql),
  explain: (msg) => explain(msg.sql),
  schema: () => schema(),
  async export() {
    const bytes = await db.export();
    return { value: bytes, transfer: [bytes.buffer] };
  },
  // Replaces the current database with the bytes of a .db file.
  async import(msg) {
    const bytes = new Uint8Array(msg.bytes);
    const magic = new TextDecoder().decode(bytes.subarray(0, 16));
    if (bytes.length > 0 && (bytes.length < 512 || magic !== 'SQLite format 3\0')) {
      throw new SqliteError('file is not a database', 'SQLITE_NOTADB', 26);
    }
    // A file saved in WAL mode (sqlite3 checkpoints it on close): mark it
    // rollback-journal, as PRAGMA journal_mode=DELETE would; the in-memory
    // VFS has no WAL index.
    let converted = false;
    if (bytes.length >= 100 && bytes[18] === 2 && bytes[19] === 2) {
      bytes[18] = bytes[19] = 1;
      converted = true;
    }
    // Check the file in a scratch in-memory database before anything of the
    // current one is replaced: a corrupt file is refused and loses nothing.
    await checkImage(bytes);
    const kind = storage;
    const previous = db ? await db.export() : null;
    try {
      await openDb(kind, bytes);
      await db.exec('SELECT count(*) FROM sqlite_schema');
    } catch (err) {
      // put the previous database back, whatever the storage
      if (db) await db.close().catch(() => {});
      db = null;
      await openDb(kind, previous ?? new Uint8Array(0));
      throw err;
    }
    dirty = true;
    await snapshot();
    return { storage, converted };
  },
  async reset() {
    const kind = storage;
    await openDb(kind, new Uint8Array(0));
    dirty = true;
    await snapshot();
    return { storage };
  },
};

// One request at a time, in arrival order (a request made while another
// awaits I/O waits for it).
let queue = Promise.resolve();
self.onmessage = (ev) => { queue = queue.then(() => handle(ev.data)); };

async function handle(msg) {
  const h = handlers[msg.type];
  if (!h) { post({ id: msg.id, type: 'reply', error: { message: `unknown request ${msg.type}` } }); return; }
  try {
    const r = await h(msg);
    if (r && r.transfer) post({ id: msg.id, type: 'reply', value: r.value }, r.transfer);
    else post({ id: msg.id, type: 'reply', value: r });
  } catch (err) {
    post({ id: msg.id, type: 'reply', error: errorInfo(err) });
  }
}
post({ type: 'ready' });
