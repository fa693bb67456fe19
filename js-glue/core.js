// core.js — the JavaScript API over either wasm build (browser/emscripten or
// edge/wasi).  A build loader hands us an "engine": { fn, memory() } where fn
// holds the shale_w_* exports (see wasm/exports.c) and memory() returns the
// current WebAssembly.Memory buffer.  Everything here is build-independent.
//
// I/O model: a database on storage 'memory' lives in the engine's memdb VFS
// (no I/O requests).  Any other storage is served through the "host" VFS:
// the engine queues requests, returns SHALE_IO from step/prepare, and
// HostIO (below) performs them with the storage object, posts completions,
// and the step loop calls step again.
import { CODE_NAMES } from './codes.js';

const SQLITE_OK = 0;
const SQLITE_ROW = 100;
const SQLITE_DONE = 101;
const SHALE_IO = 90;
const SQLITE_IOERR = 10;
const SQLITE_IOERR_SHORT_READ = 522;
const SQLITE_OPEN_READONLY = 0x1;
const SQLITE_OPEN_READWRITE = 0x2;
const SQLITE_OPEN_CREATE = 0x4;

const REQ_READ = 1, REQ_WRITE = 2, REQ_TRUNCATE = 3, REQ_SYNC = 4, REQ_CLOSE = 5, REQ_REMOVE = 6;

const STORAGE_CLASSES = [undefined, 'integer', 'real', 'text', 'blob', 'null'];
const enc = new TextEncoder();
const dec = new TextDecoder();
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const TEMP_MAX = 65536; // parameters up to this size are bound through Engine.tempBuf

export class SqliteError extends Error {
  constructor(message, code, rc, offset) {
    super(message);
    this.name = 'SqliteError';
    this.code = code;
    this.rc = rc;
    if (offset !== undefined && offset >= 0) this.offset = offset;
  }
}

export function codeName(rc) {
  return CODE_NAMES[rc] ?? CODE_NAMES[rc & 0xff] ?? `SQLITE_UNKNOWN(${rc})`;
}

// A storage error's result code: the error's own `rc` (a storage may set
// SQLITE_FULL, SQLITE_CANTOPEN, …), SQLITE_FULL for a browser quota error,
// else SQLITE_IOERR.
function storageErrorRc(err) {
  if (err && Number.isInteger(err.rc) && err.rc > 0) return err.rc;
  if (err && err.name === 'QuotaExceededError') return 13;
  return SQLITE_IOERR;
}

function misuse(msg) {
  return new SqliteError(msg, 'SQLITE_MISUSE', 21);
}

// ---------------------------------------------------------------- engine --
class Engine {
  constructor(raw) {
    this.fn = raw.fn;
    this._memory = raw.memory;
    this.io = new HostIO(this);
    this._scratch = this.fn.shale_w_scratch();
    this._buf = null;
    this._tempBuf = { ptr: 0, cap: 0 };
    this._rowBuf = { ptr: 0, cap: 0 };
  }
  // Views of the wasm memory, rebuilt only when it grew (a grown memory has
  // a new buffer): one view per call was a measurable part of a step.
  _views() {
    const b = this._memory().buffer;
    if (b !== this._buf) {
      this._buf = b;
      this._u8 = new Uint8Array(b);
      this._i32 = new Int32Array(b);
      this._f64 = new Float64Array(b);
      this._dv = new DataView(b);
    }
  }
  get u8() { this._views(); return this._u8; }
  scratchI64(slot) {
    this._views();
    return this._dv.getBigInt64(this._scratch + slot * 8, true);
  }
  // A buffer in wasm memory of at least n bytes, kept and reused (grown when
  // too small); valid until the next call for the same buffer.
  _grow(buf, n) {
    if (n > buf.cap) {
      if (buf.ptr) this.fn.shale_w_free(buf.ptr);
      buf.ptr = 0;
      buf.cap = 0;
      const cap = Math.max(n, 256);
      const p = this.fn.shale_w_malloc(cap);
      if (!p) throw new SqliteError('out of memory', 'SQLITE_NOMEM', 7);
      buf.ptr = p;
      buf.cap = cap;
    }
    return buf.ptr;
  }
  // For parameters the engine copies.
  tempBuf(n) { return this._grow(this._tempBuf, n); }
  // For row buffers (a row is read while parameters are not bound).
  rowBuf(n) { return this._grow(this._rowBuf, n); }
  scratchNum(slot) { return Number(this.scratchI64(slot)); }
  cstr(ptr) {
    if (!ptr) return null;
    const u8 = this.u8;
    let end = ptr;
    while (u8[end]) end++;
    return dec.decode(u8.subarray(ptr, end));
  }
  // Copy bytes into a fresh allocation; returns the pointer (free it).
  alloc(bytes, nulTerminate = false) {
    const n = bytes.length + (nulTerminate ? 1 : 0);
    const p = this.fn.shale_w_malloc(n);
    if (!p) throw new SqliteError('out of memory', 'SQLITE_NOMEM', 7);
    const u8 = this.u8;
    u8.set(bytes, p);
    if (nulTerminate) u8[p + bytes.length] = 0;
    return p;
  }
  allocString(s) { return this.alloc(enc.encode(s), true); }
  withString(s, f) {
    const p = this.allocString(s);
    try { return f(p); } finally { this.fn.shale_w_free(p); }
  }
}

// Executes the host VFS request queue with storage objects.  Requests run one
// at a time in submission order (so a write and a later sync or read of the
// same file keep their order); completions may be posted later and in any
// order (a storage may ask for a completion delay).
class HostIO {
  constructor(engine) {
    this.e = engine;
    this.byName = new Map();   // file name -> storage
    this.owners = [];          // [prefix, storage] for names not yet seen
    this.queue = [];
    this.inflight = new Set();
    this.held = new Set();     // performed, completion delayed by the storage
    this.running = false;
    this.unconsumed = 0;       // completions posted since the last wait
    this.waiters = [];
    this.idleWaiters = [];
  }
  // One registration per open connection (two connections may share a
  // path); the latest registration of a prefix wins until it is removed.
  register(prefix, storage) {
    this.owners.push([prefix, storage]);
    for (const k of [...this.byName.keys()]) if (k.startsWith(prefix)) this.byName.delete(k);
  }
  unregister(prefix) {
    for (let i = this.owners.length - 1; i >= 0; i--) {
      if (this.owners[i][0] === prefix) { this.owners.splice(i, 1); break; }
    }
    for (const k of [...this.byName.keys()]) if (k.startsWith(prefix)) this.byName.delete(k);
  }
  // Nothing taken from the engine is still being performed or held back.
  get busy() {
    return this.running || this.queue.length > 0 || this.inflight.size > 0 || this.held.size > 0 ||
      this.e.fn.shale_w_host_outstanding() > 0;
  }
  storageFor(name) {
    let s = this.byName.get(name);
    if (s) return s;
    let best = null;
    for (const [p, st] of this.owners) {
      if (name.startsWith(p) && (!best || p.length >= best[0].length)) best = [p, st];
    }
    if (best) this.byName.set(name, best[1]);
    return best ? best[1] : null;
  }
  // Take every submitted request from the engine and start the runner.
  pump() {
    const fn = this.e.fn;
    for (;;) {
      const d = fn.shale_w_next_request();
      if (!d) break;
      const v = new Int32Array(this.e._memory().buffer, d, 8);
      const fileId = v[2];
      const name = this.e.cstr(fn.shale_w_host_file_name(fileId));
      const req = {
        id: v[0], kind: v[1], name,
        off: (v[4] >>> 0) * 4294967296 + (v[3] >>> 0),
        n: v[5], buf: v[6] >>> 0, posted: false, started: false,
      };
      this.queue.push(req);
    }
    if (!this.running && this.queue.length) this._run();
  }
  async _run() {
    this.running = true;
    try {
      while (this.queue.length) {
        const r = this.queue.shift();
        if (r.posted) continue;
        const st = this.storageFor(r.name);
        this.inflight.add(r); // visible to waitSync from here on
        if (st && st.beforeOp) await st.beforeOp(r);
        if (r.posted) { this.inflight.delete(r); continue; }
        r.started = true;
        let rc;
        try {
          rc = await this._perform(st, r, false);
        } catch (err) {
          rc = storageErrorRc(err);
          if (st && st.onError) st.onError(err, r);
        }
        this.inflight.delete(r);
        const delay = st && st.completionDelay ? st.completionDelay(r) : 0;
        if (delay > 0) {
          // performed; its completion is held back (tests reorder them)
          r.rc = rc;
          this.held.add(r);
          setTimeout(() => { this.held.delete(r); this._post(r, rc); }, delay);
        } else {
          this._post(r, rc);
        }
      }
    } finally {
      this.running = false;
      this._checkIdle();
    }
  }
  async _perform(st, r, sync) {
    if (!st) {
      return r.kind === REQ_CLOSE || r.kind === REQ_REMOVE ? SQLITE_OK : SQLITE_IOERR;
    }
    switch (r.kind) {
      case REQ_READ: {
        if (!r.buf || !this.e.fn.shale_w_request_live(r.id)) return SQLITE_IOERR;
        const data = sync ? st.readSync(r.name, r.off, r.n) : await st.read(r.name, r.off, r.n);
        if (!this.e.fn.shale_w_request_live(r.id)) return SQLITE_IOERR; // file closed meanwhile
        const u8 = this.e.u8; // fetched after the await: memory may have grown
        const got = Math.min(data.length, r.n);
        u8.set(got === data.length ? data : data.subarray(0, got), r.buf);
        if (got < r.n) {
          u8.fill(0, r.buf + got, r.buf + r.n);
          return SQLITE_IOERR_SHORT_READ;
        }
        return SQLITE_OK;
      }
      case REQ_WRITE: {
        if (!r.buf || !this.e.fn.shale_w_request_live(r.id)) return SQLITE_IOERR;
        const bytes = this.e.u8.slice(r.buf, r.buf + r.n);
        if (sync) st.writeSync(r.name, r.off, bytes); else await st.write(r.name, r.off, bytes);
        return SQLITE_OK;
      }
      case REQ_TRUNCATE:
        if (sync) st.truncateSync(r.name, r.off); else await st.truncate(r.name, r.off);
        return SQLITE_OK;
      case REQ_SYNC:
        if (sync) st.syncSync?.(r.name); else await st.sync(r.name);
        return SQLITE_OK;
      case REQ_CLOSE:
        if (sync) st.closeSync?.(r.name); else await st.close(r.name);
        return SQLITE_OK;
      case REQ_REMOVE:
        if (sync) st.removeSync(r.name); else await st.remove(r.name);
        return SQLITE_OK;
      default:
        return SQLITE_IOERR;
    }
  }
  _post(r, rc) {
    if (r.posted) return;
    r.posted = true;
    this.e.fn.shale_w_complete(r.id, rc);
    this.unconsumed++;
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
    this._checkIdle();
  }
  _checkIdle() {
    if (this.running || this.queue.length || this.inflight.size || this.held.size) return;
    if (this.e.fn.shale_w_host_outstanding() > 0 && this.e.fn.shale_w_host_poll() >= 0 &&
        this.e.fn.shale_w_host_outstanding() > 0) return;
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }
  // Called (synchronously, from inside the engine) when the engine must wait
  // for I/O: perform every queued or in-flight request synchronously.
  // Returns how many were completed; 0 means the storage cannot do sync I/O.
  waitSync() {
    this.pump();
    let n = 0;
    for (const r of [...this.held]) {
      this.held.delete(r);
      if (!r.posted) { this._post(r, r.rc); n++; }
    }
    const todo = [...this.inflight, ...this.queue].filter((r) => !r.posted);
    for (const r of todo) {
      const st = this.storageFor(r.name);
      if (st && !st.readSync) return n;
      let rc;
      try { rc = this._performSyncDirect(st, r); } catch { rc = SQLITE_IOERR; }
      this._post(r, rc);
      n++;
    }
    return n;
  }
  _performSyncDirect(st, r) {
    if (!st) return r.kind === REQ_CLOSE || r.kind === REQ_REMOVE ? SQLITE_OK : SQLITE_IOERR;
    const u8 = () => this.e.u8;
    if ((r.kind === REQ_READ || r.kind === REQ_WRITE) && (!r.buf || !this.e.fn.shale_w_request_live(r.id))) {
      return SQLITE_IOERR;
    }
    switch (r.kind) {
      case REQ_READ: {
        const data = st.readSync(r.name, r.off, r.n);
        const got = Math.min(data.length, r.n);
        u8().set(data.subarray(0, got), r.buf);
        if (got < r.n) { u8().fill(0, r.buf + got, r.buf + r.n); return SQLITE_IOERR_SHORT_READ; }
        return SQLITE_OK;
      }
      case REQ_WRITE: st.writeSync(r.name, r.off, u8().slice(r.buf, r.buf + r.n)); return SQLITE_OK;
      case REQ_TRUNCATE: st.truncateSync(r.name, r.off); return SQLITE_OK;
      case REQ_SYNC: st.syncSync?.(r.name); return SQLITE_OK;
      case REQ_CLOSE: st.closeSync?.(r.name); return SQLITE_OK;
      case REQ_REMOVE: st.removeSync(r.name); return SQLITE_OK;
      default: return SQLITE_IOERR;
    }
  }
  // Resolves once at least one completion was posted since the last call.
  waitProgress() {
    this.pump();
    if (this.unconsumed > 0) { this.unconsumed = 0; return Promise.resolve(true); }
    const fn = this.e.fn;
    if (!this.running && !this.queue.length && !this.inflight.size && fn.shale_w_host_outstanding() === 0) {
      return Promise.resolve(false); // nothing outstanding: the caller must not wait
    }
    return new Promise((res) => this.waiters.push(() => { this.unconsumed = 0; res(true); }));
  }
  // Resolves when every request taken so far has been performed and posted.
  idle() {
    this.pump();
    return new Promise((res) => { this.idleWaiters.push(res); this._checkIdle(); });
  }
}

// -------------------------------------------------------------- database --
let dbCounter = 0;

// Statements dropped without finalize() are finalized when collected; the
// connection keeps only weak references to them.
const stmtReaper = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry(({ db, cell }) => {
    if (cell.stmt && db.open) db._e.fn.shale_w_finalize(cell.stmt);
    cell.stmt = 0;
    db._stmts.delete(cell);
  })
  : null;

export class Database {
  constructor(engine, db, opts) {
    this._e = engine;
    this._db = db;
    this._stmts = new Set();
    this.name = opts.name;
    this.storage = opts.storageKind;
    this._storage = opts.storage;
    // Cross-tab lock of a storage shared with other tabs/Workers (null for
    // the others): held from before the engine's first I/O of a transaction
    // until a safe point after it (see _takeLock / _maybeRelease).
    this._lock = opts.lock || null;
    this._busyTimeout = opts.busyTimeout ?? 30000;
    this._releasing = false;
    if (this._lock) this._lock.onWanted = () => this._maybeRelease();
    this._path = opts.path;
    this._memHandle = opts.memHandle || 0;
    this._bigint = !!opts.bigint;
    this._txChain = Promise.resolve();
    this.ioWaits = 0; // times a step/prepare yielded for I/O (SHALE_IO)
    this._driving = null; // promise while a call sequence waits for I/O
    this.open = true;
    this.sql = (strings, ...values) => this._tagged(strings, values);
  }
  _check() {
    if (!this.open) throw misuse('The database connection is not open');
  }
  _error(rc) {
    const fn = this._e.fn;
    const ext = this._db ? fn.shale_w_extended_errcode(this._db) : rc;
    let msg = this._db ? this._e.cstr(fn.shale_w_errmsg(this._db)) : null;
    const useRc = ext && (ext & 0xff) === (rc & 0xff) ? ext : rc;
    if (!msg || (ext & 0xff) !== (rc & 0xff)) msg = this._e.cstr(fn.shale_w_errstr(rc)) || 'error';
    const off = this._db ? fn.shale_w_error_offset(this._db) : -1;
    return new SqliteError(msg, codeName(useRc), useRc, off);
  }
  // One engine call sequence at a time per connection: a step that yielded
  // for I/O is finished before another statement of the connection steps
  // (the engine keeps some in-flight I/O state per pager).
  async _acquire() {
    while (this._driving) await this._driving;
    let release;
    this._driving = new Promise((res) => { release = res; });
    return () => { this._driving = null; release(); };
  }
  // Drive a non-blocking engine call to completion.
  async _drive(call) {
    return this._driveNow(call);
  }
  // The same, but synchronous when it can be: returns the rc itself when the
  // call needed no I/O and nothing remains to settle (the usual case, and
  // always on storage 'memory'), else a promise of it.  The step loops use
  // this so that a run()/get()/all() costs one promise, not one per step.
  _driveNow(call) {
    // Fast path: no other call in progress, no cross-tab lock to take, and
    // the call needs no I/O.
    if (!this._driving && !(this._lock && !this._lock.held)) {
      const rc = call();
      this._e.io.pump();
      if (rc !== SHALE_IO) return this._settleNow(rc);
      this.ioWaits++;
      return this._driveAfterIO(call);
    }
    return this._driveQueued(call);
  }
  async _driveAfterIO(call) {
    const io = this._e.io;
    const release = await this._acquire();
    let out;
    try {
      await io.waitProgress();
      await this._takeLock(); // (kept: a release needs the engine unlocked)
      out = await this._driveLocked(call);
    } finally {
      release();
    }
    return this._settle(out);
  }
  async _driveQueued(call) {
    const release = await this._acquire();
    let out;
    try {
      await this._takeLock();
      out = await this._driveLocked(call);
    } finally {
      release();
    }
    return this._settle(out);
  }
  // A call finished.  When it ended a transaction (the connection is back in
  // autocommit mode), resolve only once the storage confirmed every write
  // (the journal's deletion is the commit point).  Then give the cross-tab
  // lock to a context that asked for it.
  async _settle(rc) {
    const e = this._e;
    if (this._storage && rc !== SQLITE_ROW && this.open && e.io.busy &&
        e.fn.shale_w_get_autocommit(this._db)) {
      await e.io.idle();
    }
    if (this._lock && this._lock.held && this._lock.wanted) this._maybeRelease();
    return rc;
  }
  // _settle without a promise when there is nothing to wait for.
  _settleNow(rc) {
    const e = this._e;
    if (this._storage && rc !== SQLITE_ROW && this.open && e.io.busy &&
        e.fn.shale_w_get_autocommit(this._db)) {
      return this._settle(rc);
    }
    if (this._lock && this._lock.held && this._lock.wanted) this._maybeRelease();
    return rc;
  }
  // Take the cross-tab lock (if this connection has one and lacks it).  If
  // another context held it meanwhile, reload the file table and header
  // mirror from the storage: the engine then sees the new change counter
  // and drops its stale pages.  Called with the connection mutex held.
  async _takeLock() {
    const lock = this._lock;
    if (!lock || lock.held) return;
    let changed;
    try {
      changed = await lock.acquire(this._busyTimeout);
    } catch (err) {
      throw new SqliteError(`database is locked (${err.message})`, 'SQLITE_BUSY', 5);
    }
    if (!changed) return;
    try {
      await loadFileTable(this._e, this._storage, this._path, true);
    } catch (err) {
      lock.release();
      throw new SqliteError(`disk I/O error (${err.message})`, codeName(storageErrorRc(err)), storageErrorRc(err));
    }
  }
  // The engine holds no lock on the database file (no transaction open).
  _engineUnlocked() {
    const e = this._e;
    return e.withString(this._path, (np) => e.fn.shale_w_host_lock_level(np)) === 0;
  }
  // Another context wants the lock: give it up at the next safe point (no
  // transaction open, the storage confirmed every write and, for storages
  // that buffer or hold exclusive handles, beforeRelease() ran).
  async _maybeRelease() {
    if (this._releasing) return;
    this._releasing = true;
    try {
      const release = await this._acquire();
      try {
        const lock = this._lock;
        if (!this.open || !lock.held || !lock.wanted || !this._engineUnlocked()) return;
        await this._e.io.idle();
        if (!this._engineUnlocked()) return;
        if (this._storage.beforeRelease) await this._storage.beforeRelease(this._path);
        lock.release(true);
      } finally {
        release();
      }
    } catch { /* the next call reports storage errors */ } finally {
      this._releasing = false;
    }
  }
  // PRAGMAs that cannot work on storage shared by tabs: WAL needs a WAL
  // index in memory every tab shares; exclusive locking mode keeps pages
  // cached across the lock hand-over.  Refused with a clear error.
  _checkShared(sql) {
    if (!this._lock) return;
    const bad = /\bjournal_mode\s*(?:=|\()\s*['"`[]?\s*wal\b/i.test(sql) ? 'journal_mode=WAL'
      : /\blocking_mode\s*(?:=|\()\s*['"`[]?\s*exclusive\b/i.test(sql) ? 'locking_mode=EXCLUSIVE' : null;
    if (bad) {
      throw new SqliteError(`PRAGMA ${bad} is not supported on storage '${this.storage}' ` +
        '(shared by tabs: rollback journal, normal locking only)', 'SQLITE_ERROR', 1);
    }
  }
  async _driveLocked(call) {
    const io = this._e.io;
    for (;;) {
      const rc = call();
      io.pump();
      if (rc !== SHALE_IO) return rc;
      this.ioWaits++;
      const waited = await io.waitProgress();
      if (!waited) {
        // Outstanding I/O vanished: poll once more, then give up instead of hanging.
        if (this._e.fn.shale_w_host_outstanding() === 0) {
          const again = call();
          io.pump();
          if (again !== SHALE_IO) return again;
          throw new SqliteError('I/O reported pending but none is outstanding', 'SQLITE_INTERNAL', 2);
        }
      }
    }
  }
  async _prepareAt(ptr, len) {
    const fn = this._e.fn;
    let stmt = 0, tail = 0;
    const rc = await this._drive(() => {
      const r = fn.shale_w_prepare(this._db, ptr, len);
      // read the out-slots now: other calls may run before _drive resolves
      stmt = this._e.scratchNum(0);
      tail = this._e.scratchNum(1);
      return r;
    });
    if (rc !== SQLITE_OK) {
      if (stmt) fn.shale_w_finalize(stmt);
      throw this._error(rc);
    }
    return { stmt, tail };
  }
  prepare(sql) {
    this._check();
    if (typeof sql !== 'string') throw new TypeError('SQL must be a string');
    return new Statement(this, sql);
  }
  async exec(sql) {
    this._check();
    this._checkShared(sql);
    const e = this._e;
    const bytes = enc.encode(sql);
    const base = e.alloc(bytes, true);
    try {
      let off = 0;
      while (off < bytes.length) {
        let prepared;
        try {
          prepared = await this._prepareAt(base + off, bytes.length - off);
        } catch (err) {
          // offsets are in bytes from the start of the whole string
          if (err instanceof SqliteError && err.offset !== undefined) err.offset += off;
          throw err;
        }
        const { stmt, tail } = prepared;
        if (!stmt) break;
        off += tail;
        try {
          let rc;
          const step = () => e.fn.shale_w_step(stmt);
          do {
            rc = this._driveNow(step);
            if (typeof rc !== 'number') rc = await rc;
          } while (rc === SQLITE_ROW);
          if (rc !== SQLITE_DONE) throw this._error(rc);
        } finally {
          e.fn.shale_w_finalize(stmt);
        }
        if (tail === 0) break;
      }
    } finally {
      e.fn.shale_w_free(base);
    }
    return this;
  }
  // Yields the statements of a string of several, one at a time, each
  // compiled after the previous one was consumed (so it sees its schema
  // changes): { statement, start, end } with start/end the statement's
  // character offsets in sql.  A compile error is thrown with `offset` in
  // characters from the start of sql.  Statements not run are finalized
  // when the caller stops early (or by close()).
  async *statements(sql) {
    this._check();
    const e = this._e;
    const bytes = enc.encode(sql);
    const base = e.alloc(bytes, true);
    const chars = (b) => dec.decode(bytes.subarray(0, b)).length;
    try {
      let off = 0;
      while (off < bytes.length) {
        let prepared;
        try {
          prepared = await this._prepareAt(base + off, bytes.length - off);
        } catch (err) {
          if (err instanceof SqliteError && err.offset !== undefined) err.offset = chars(err.offset + off);
          throw err;
        }
        const { stmt, tail } = prepared;
        if (!stmt) break;
        const text = dec.decode(bytes.subarray(off, off + tail));
        const start = chars(off);
        let statement;
        try {
          statement = new Statement(this, text, stmt);
        } catch (err) {
          e.fn.shale_w_finalize(stmt);
          throw err;
        }
        off += tail;
        yield { statement, start, end: start + text.length };
        if (tail === 0) break;
      }
    } finally {
      e.fn.shale_w_free(base);
    }
  }
  async _tagged(strings, values) {
    let sql = strings[0];
    for (let i = 1; i < strings.length; i++) sql += '?' + strings[i];
    const st = this.prepare(sql);
    try {
      return await st.all(...values);
    } finally {
      st.finalize();
    }
  }
  get inTransaction() {
    return this.open && this._e.fn.shale_w_get_autocommit(this._db) === 0;
  }
  // Runs fn inside BEGIN … COMMIT (ROLLBACK if it throws).  Transactions on
  // one connection run one after another; other statements issued on the
  // connection meanwhile run inside the open transaction (one connection,
  // one transaction, as in SQLite).
  transaction(fn, mode = '') {
    this._check();
    const run = async () => {
      this._check();
      const nested = this.inTransaction;
      const sp = `shale_tx_${++dbCounter}`;
      await this.exec(nested ? `SAVEPOINT ${sp}` : `BEGIN ${mode}`);
      try {
        const result = await fn(this);
        await this.exec(nested ? `RELEASE ${sp}` : 'COMMIT');
        return result;
      } catch (err) {
        if (this.open) {
          try {
            await this.exec(nested ? `ROLLBACK TO ${sp}; RELEASE ${sp}` : 'ROLLBACK');
          } catch { /* already rolled back by the engine */ }
        }
        throw err;
      }
    };
    if (this.inTransaction) return run(); // nested: inside the running one
    const p = this._txChain.then(run, run);
    this._txChain = p.catch(() => {});
    return p;
  }
  async export() {
    this._check();
    const e = this._e;
    if (this.storage === 'memory') {
      const p = e.withString(this._path, (np) => e.fn.shale_w_memdb_export(np));
      const n = e.scratchNum(0);
      if (!p) throw new SqliteError('cannot export the database', 'SQLITE_ERROR', 1);
      const out = e.u8.slice(p, p + n);
      e.fn.shale_w_free(p);
      return out;
    }
    const release = await this._acquire();
    try {
      await this._takeLock();
      await e.io.idle();
      return await this._storage.readAll(this._path);
    } finally {
      release();
      this._settle(SQLITE_DONE);
    }
  }
  async close() {
    if (!this.open) return;
    // Cells, not Statements: one collected but not yet reaped still has its
    // engine statement, which would make the close fail with SQLITE_BUSY.
    for (const cell of [...this._stmts]) {
      const st = cell.ref.deref();
      if (st) st.finalize();
      else if (cell.stmt) this._e.fn.shale_w_finalize(cell.stmt);
      cell.stmt = 0;
    }
    this._stmts.clear();
    const e = this._e;
    const rc = e.fn.shale_w_close(this._db);
    this.open = false;
    if (this._memHandle) e.fn.shale_w_memdb_release(this._memHandle);
    if (this._storage) {
      await e.io.idle();
      e.io.unregister(this._path);
      try {
        if (this._storage.closeAll) await this._storage.closeAll(this._path);
      } finally {
        this._lock?.close();
      }
    }
    if (rc !== SQLITE_OK) throw new SqliteError(e.cstr(e.fn.shale_w_errstr(rc)), codeName(rc), rc);
  }
}

// ------------------------------------------------------------- statement --
export class Statement {
  // handle: an already compiled statement of sql to adopt (statements()).
  constructor(db, sql, handle = 0) {
    db._checkShared(sql);
    this.database = db;
    this.source = sql;
    // _cell holds the engine handle so the reaper can finalize it without
    // keeping this object alive.
    this._cell = { stmt: 0, ref: new WeakRef(this) };
    db._stmts.add(this._cell);
    stmtReaper?.register(this, { db, cell: this._cell }, this._cell);
    this._raw = false;
    this._bigint = db._bigint;
    this._busy = false;
    this._cols = null;
    if (handle) { this._stmt = handle; return; }
    // Compile now when no I/O is needed (the usual case once the schema is
    // loaded); otherwise the first execution compiles.
    const e = db._e;
    // another call is waiting for I/O, or the cross-tab lock must be taken
    // first: compile at the first execution
    if (db._driving || (db._lock && !db._lock.held)) return;
    const bytes = enc.encode(sql);
    const p = e.alloc(bytes, true);
    try {
      const rc = e.fn.shale_w_prepare(db._db, p, bytes.length);
      e.io.pump();
      if (rc === SQLITE_OK) {
        this._stmt = e.scratchNum(0);
        this._checkTail(bytes, e.scratchNum(1));
      } else if (rc !== SHALE_IO) {
        this._forget();
        throw db._error(rc);
      }
    } finally {
      e.fn.shale_w_free(p);
    }
  }
  _checkTail(bytes, tail) {
    if (!this._stmt) {
      this.finalize();
      throw new SqliteError('The supplied SQL string contains no statements', 'SQLITE_MISUSE', 21);
    }
    const rest = dec.decode(bytes.subarray(tail)).trim();
    if (rest && !/^(;|\s|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)*$/.test(rest)) {
      this.finalize();
      throw new SqliteError('The supplied SQL string contains more than one statement', 'SQLITE_MISUSE', 21);
    }
  }
  async ready() {
    this.database._check();
    if (this._stmt) return this;
    if (this._finalized) throw misuse('The statement has been finalized');
    const db = this.database;
    const e = db._e;
    const bytes = enc.encode(this.source);
    const p = e.alloc(bytes, true);
    try {
      const { stmt, tail } = await db._prepareAt(p, bytes.length);
      this._stmt = stmt;
      this._checkTail(bytes, tail);
    } finally {
      e.fn.shale_w_free(p);
    }
    return this;
  }
  raw(on = true) { this._raw = !!on; return this; }
  safeIntegers(on = true) { this._bigint = !!on; return this; }
  /** True when the statement does not write the database (sqlite3_stmt_readonly). */
  get readonly() { return this._stmt ? this.database._e.fn.shale_w_stmt_readonly(this._stmt) !== 0 : undefined; }
  get reader() { return this._stmt ? this.database._e.fn.shale_w_column_count(this._stmt) > 0 : undefined; }
  columns() {
    if (!this._stmt) throw misuse('The statement is not compiled yet: await stmt.ready() first');
    const e = this.database._e;
    const n = e.fn.shale_w_column_count(this._stmt);
    const out = [];
    for (let i = 0; i < n; i++) {
      out.push({ name: e.cstr(e.fn.shale_w_column_name(this._stmt, i)),
                 type: e.cstr(e.fn.shale_w_column_decltype(this._stmt, i)) });
    }
    return out;
  }
  get _stmt() { return this._cell.stmt; }
  set _stmt(v) { this._cell.stmt = v; }
  _forget() {
    stmtReaper?.unregister(this._cell);
    this.database._stmts.delete(this._cell);
  }
  finalize() {
    if (this._stmt) this.database._e.fn.shale_w_finalize(this._stmt);
    this._stmt = 0;
    this._finalized = true;
    this._forget();
  }
  // ---- binding
  _bind(params) {
    const e = this.database._e;
    const fn = e.fn;
    const st = this._stmt;
    if (params.length === 1 && Array.isArray(params[0])) params = params[0];
    let named = null;
    const positional = [];
    for (const p of params) {
      if (p !== null && typeof p === 'object' && !(p instanceof Uint8Array) &&
          !(p instanceof ArrayBuffer) && !ArrayBuffer.isView(p) && !Array.isArray(p)) {
        if (named) throw new SqliteError('Only one object of named parameters may be given', 'SQLITE_RANGE', 25);
        named = p;
      } else {
        positional.push(p);
      }
    }
    fn.shale_w_clear_bindings(st);
    // the parameter names of this compiled statement, read once
    if (this._paramsOf !== st) {
      const count = fn.shale_w_bind_parameter_count(st);
      const names = new Array(count + 1);
      for (let i = 1; i <= count; i++) names[i] = e.cstr(fn.shale_w_bind_parameter_name(st, i));
      this._paramNames = names;
      this._paramsOf = st;
    }
    const names = this._paramNames;
    const count = names.length - 1;
    let next = 0;
    for (let i = 1; i <= count; i++) {
      const name = names[i];
      let value;
      if (name && name[0] !== '?') {
        const key = name.slice(1);
        if (named) {
          if (!(key in named)) {
            throw new SqliteError(`Missing named parameter "${key}"`, 'SQLITE_RANGE', 25);
          }
          value = named[key];
        } else if (next < positional.length) {
          value = positional[next++];
        } else {
          throw new SqliteError(`Missing named parameter "${key}"`, 'SQLITE_RANGE', 25);
        }
      } else {
        if (next >= positional.length) {
          throw new SqliteError(`Too few parameter values were provided (statement has ${count})`, 'SQLITE_RANGE', 25);
        }
        value = positional[next++];
      }
      this._bindOne(i, value);
    }
    if (next < positional.length) {
      throw new SqliteError(`Too many parameter values were provided (statement has ${count})`, 'SQLITE_RANGE', 25);
    }
  }
  _bindOne(i, v) {
    const e = this.database._e;
    const fn = e.fn;
    const st = this._stmt;
    let rc;
    if (v === null || v === undefined) rc = fn.shale_w_bind_null(st, i);
    else if (typeof v === 'number') {
      if (Number.isSafeInteger(v)) rc = fn.shale_w_bind_int64(st, i, v | 0, Math.floor(v / 4294967296) | 0);
      else rc = fn.shale_w_bind_double(st, i, v);
    } else if (typeof v === 'bigint') {
      if (v < I64_MIN || v > I64_MAX) {
        throw new RangeError('BigInt value is out of the 64-bit integer range');
      }
      const u = BigInt.asUintN(64, v);
      rc = fn.shale_w_bind_int64(st, i, Number(u & 0xffffffffn) | 0, Number(u >> 32n) | 0);
    } else if (typeof v === 'string') {
      // encoded into a reused buffer (the engine copies bound text); a
      // large value gets its own allocation, so the buffer stays small
      const max = v.length * 3;
      if (max > TEMP_MAX) {
        const b = enc.encode(v);
        const p = e.alloc(b, true);
        rc = fn.shale_w_bind_text(st, i, p, b.length);
        fn.shale_w_free(p);
        if (rc !== SQLITE_OK) throw this.database._error(rc);
        return;
      }
      const p = e.tempBuf(max + 1);
      const u8 = e.u8;
      let n;
      if (v.length <= 64) {
        // short ASCII strings: a plain loop beats TextEncoder's call overhead
        n = 0;
        for (; n < v.length; n++) {
          const c = v.charCodeAt(n);
          if (c >= 0x80) break;
          u8[p + n] = c;
        }
        if (n < v.length) n = enc.encodeInto(v, u8.subarray(p, p + max)).written;
      } else {
        n = enc.encodeInto(v, u8.subarray(p, p + max)).written;
      }
      rc = fn.shale_w_bind_text(st, i, p, n);
    } else if (typeof v === 'boolean') {
      rc = fn.shale_w_bind_int64(st, i, v ? 1 : 0, 0);
    } else if (v instanceof Uint8Array || v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
      const b = v instanceof Uint8Array ? v : v instanceof ArrayBuffer ? new Uint8Array(v)
        : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      const big = b.length > TEMP_MAX; // (as for text)
      const p = big ? e.alloc(b) : e.tempBuf(b.length);
      if (!big) e.u8.set(b, p);
      rc = fn.shale_w_bind_blob(st, i, p, b.length);
      if (big) fn.shale_w_free(p);
    } else {
      throw new SqliteError(`Unsupported parameter type: ${typeof v}`, 'SQLITE_MISMATCH', 20);
    }
    if (rc !== SQLITE_OK) throw this.database._error(rc);
  }
  // ---- reading
  // The storage classes of the current row's values ('integer', 'real',
  // 'text', 'blob', 'null'), e.g. to tell 1.0 from 1; valid while a row is
  // current (inside iterate()).
  rowTypes() {
    const fn = this.database._e.fn;
    if (!this._stmt) throw misuse('The statement is not compiled yet: await stmt.ready() first');
    const n = fn.shale_w_column_count(this._stmt);
    const out = new Array(n);
    for (let i = 0; i < n; i++) out[i] = STORAGE_CLASSES[fn.shale_w_column_type(this._stmt, i)] ?? 'null';
    return out;
  }
  // The current row, read with one engine call (shale_w_row fills 16 bytes
  // per column: type, byte count, value or pointer).
  _row() {
    const e = this.database._e;
    const fn = e.fn;
    const st = this._stmt;
    const n = fn.shale_w_column_count(st); // (may change when the engine re-prepares)
    const buf = e.rowBuf(n * 16);
    fn.shale_w_row(st, n, buf);
    e._views();
    if (this._raw) {
      const a = new Array(n);
      for (let i = 0; i < n; i++) a[i] = this._cell16(e, buf + i * 16, i);
      return a;
    }
    if (!this._cols) this._cols = this.columns().map((c) => c.name);
    const cols = this._cols;
    const o = {};
    for (let i = 0; i < n; i++) o[cols[i]] = this._cell16(e, buf + i * 16, i);
    return o;
  }
  // One column's value from a shale_w_row entry at byte address a.
  _cell16(e, a, i) {
    const i32 = e._i32;
    const k = a >> 2;
    switch (i32[k]) {
      case 1: {
        const lo = i32[k + 2], hi = i32[k + 3];
        if (this._bigint) return (BigInt(hi) << 32n) | BigInt(lo >>> 0);
        const v = hi * 4294967296 + (lo >>> 0);
        if (hi < -2097152 || hi > 2097151 || !Number.isSafeInteger(v)) {
          throw new RangeError('The integer in column ' + i + ' is too large for a JavaScript number (use { bigint: true })');
        }
        return v;
      }
      case 2: return e._f64[(a + 8) >> 3];
      case 3: {
        const n = i32[k + 1];
        const p = i32[k + 2] >>> 0;
        const u8 = e._u8;
        if (n <= 16) {
          // short ASCII text: a loop beats a TextDecoder call in browsers
          // (emscripten's UTF8ToString uses the same cut-off)
          let s = '';
          let j = 0;
          for (; j < n; j++) {
            const c = u8[p + j];
            if (c >= 0x80) break;
            s += String.fromCharCode(c);
          }
          if (j === n) return s;
        }
        return dec.decode(u8.subarray(p, p + n));
      }
      case 4: {
        const n = i32[k + 1];
        const p = i32[k + 2] >>> 0;
        return n ? e._u8.slice(p, p + n) : new Uint8Array(0);
      }
      default: return null;
    }
  }
  // Checks, compiles if needed, resets and binds.  Returns a promise only
  // when the statement must be compiled first.
  _begin(params) {
    this.database._check();
    if (this._finalized) throw misuse('The statement has been finalized');
    if (this._busy) throw misuse('This statement is busy executing a query');
    if (!this._stmt) return this.ready().then(() => this._bindNow(params));
    this._bindNow(params);
    return undefined;
  }
  _bindNow(params) {
    this._busy = true;
    try {
      this.database._e.fn.shale_w_reset(this._stmt);
      this._bind(params);
    } catch (err) {
      this._busy = false;
      throw err;
    }
  }
  // One step: the rc (ROW or DONE) when no I/O was needed, else a promise
  // of it; an error is thrown (or rejects).
  _step() {
    const db = this.database;
    if (!this._stepCall) {
      const fn = db._e.fn;
      this._stepCall = () => fn.shale_w_step(this._stmt);
    }
    const rc = db._driveNow(this._stepCall);
    if (typeof rc === 'number') return this._stepped(rc);
    return rc.then((r) => this._stepped(r));
  }
  _stepped(rc) {
    if (rc !== SQLITE_ROW && rc !== SQLITE_DONE) throw this.database._error(rc);
    return rc;
  }
  _end() {
    if (this._stmt) this.database._e.fn.shale_w_reset(this._stmt);
    this._busy = false;
  }
  async run(...params) {
    const begun = this._begin(params);
    if (begun) await begun;
    const db = this.database;
    const fn = db._e.fn;
    try {
      for (;;) {
        let rc = this._step();
        if (typeof rc !== 'number') rc = await rc;
        if (rc !== SQLITE_ROW) break; // rows are discarded
      }
      const changes = fn.shale_w_changes64(db._db);
      const lo = fn.shale_w_last_insert_rowid(db._db);
      let lastInsertRowid;
      if (this._bigint) {
        lastInsertRowid = db._e.scratchI64(0);
      } else {
        // the high half from scratch[0]; hi * 2^32 is exact, so the sum
        // rounds once, as Number(BigInt) does
        const e = db._e;
        e._views();
        lastInsertRowid = e._i32[(e._scratch >> 2) + 1] * 4294967296 + (lo >>> 0);
      }
      return { changes, lastInsertRowid };
    } finally {
      this._end();
    }
  }
  async get(...params) {
    const begun = this._begin(params);
    if (begun) await begun;
    try {
      let rc = this._step();
      if (typeof rc !== 'number') rc = await rc;
      return rc === SQLITE_ROW ? this._row() : undefined;
    } finally {
      this._end();
    }
  }
  async all(...params) {
    const begun = this._begin(params);
    if (begun) await begun;
    try {
      const rows = [];
      for (;;) {
        let rc = this._step();
        if (typeof rc !== 'number') rc = await rc;
        if (rc !== SQLITE_ROW) break;
        rows.push(this._row());
      }
      return rows;
    } finally {
      this._end();
    }
  }
  async *iterate(...params) {
    const begun = this._begin(params);
    if (begun) await begun;
    try {
      for (;;) {
        let rc = this._step();
        if (typeof rc !== 'number') rc = await rc;
        if (rc !== SQLITE_ROW) break;
        yield this._row();
      }
    } finally {
      this._end();
    }
  }
}

// ------------------------------------------------------------------ open --
const FILE_SUFFIXES = ['', '-journal', '-wal'];
const MIRROR_BYTES = 65536;

// Seed (or refresh) the host VFS's file table for a database: the sizes of
// the database and its journal files, and the first 64 KiB of the database
// (the header and page 1 are read at every transaction start; the mirror
// serves them inline).  A storage may answer all of it in one round trip
// (snapshot); otherwise size() and read().
async function loadFileTable(e, storage, path, mirror) {
  const fn = e.fn;
  let sizes, head = null;
  if (storage.snapshot) {
    ({ sizes, head } = await storage.snapshot(path, FILE_SUFFIXES, MIRROR_BYTES));
  } else {
    sizes = [];
    for (const s of FILE_SUFFIXES) sizes.push(await storage.size(path + s));
    if (sizes[0] > 0 && mirror) head = await storage.read(path, 0, Math.min(sizes[0], MIRROR_BYTES));
  }
  FILE_SUFFIXES.forEach((s, i) => e.withString(path + s, (np) => fn.shale_w_host_set_file(np, sizes[i])));
  if (head && head.length && mirror) {
    const p = e.alloc(head);
    e.withString(path, (np) => fn.shale_w_host_set_prefix(np, p, head.length));
    fn.shale_w_free(p);
  }
}

// open(name, { data }): the bytes become the database; journal files left
// from an earlier database of that name would roll it back, so they go.  A
// storage shared by tabs has no WAL: a WAL-mode image is marked rollback
// (bytes 18/19 = 1), as sqlite3_deserialize does.
async function importImage(storage, path, data, shared) {
  let bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  if (shared && bytes.length >= 100 && (bytes[18] === 2 || bytes[19] === 2)) {
    bytes = bytes.slice();
    bytes[18] = 1;
    bytes[19] = 1;
  }
  for (const s of ['-journal', '-wal']) {
    if ((await storage.size(path + s)) >= 0) await storage.remove(path + s);
  }
  await storage.writeAll(path, bytes);
}

// makeOpen(loadEngine, defaults) builds the public open() for one build.
// loadEngine() returns a promise of the raw engine; it is called once.
export function makeOpen(loadEngine, defaultStorages = {}) {
  let enginePromise = null;
  const getEngine = (opts) => {
    if (!enginePromise) {
      enginePromise = loadEngine(opts)
        .then((raw) => {
          const e = new Engine(raw);
          raw.setWaitHook(() => e.io.waitSync());
          return e;
        }, (err) => {
          enginePromise = null; // a failed load (bad URL, …) may be retried with other options
          throw err;
        });
    }
    return enginePromise;
  };
  return async function open(name = ':memory:', opts = {}) {
    const e = await getEngine(opts);
    const fn = e.fn;
    let kind = opts.storage ?? 'memory';
    let storage = null;
    if (typeof kind === 'string' && kind !== 'memory') {
      const make = defaultStorages[kind];
      if (!make) throw new SqliteError(`storage '${kind}' is not available here`, 'SQLITE_CANTOPEN', 14);
      try {
        storage = await make(opts);
      } catch (err) {
        throw new SqliteError(`storage '${kind}' is not available here: ${err.message}`, 'SQLITE_CANTOPEN', 14);
      }
      if (storage.kind) kind = storage.kind; // 'opfs' falls back to 'idb' without OPFS
    } else if (typeof kind === 'object' && kind) {
      storage = kind;
      kind = 'custom';
    }
    if (opts.wrapStorage && storage) storage = opts.wrapStorage(storage);
    const flags = opts.readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    let path, vfs, memHandle = 0, lock = null;
    const busyTimeout = opts.busyTimeout ?? 30000;
    if (kind === 'memory') {
      path = `/shale-mem/${++dbCounter}/${name}`;
      vfs = 'memdb';
      if (opts.data) {
        const bytes = opts.data instanceof Uint8Array ? opts.data : new Uint8Array(opts.data);
        const p = e.alloc(bytes);
        memHandle = e.withString(path, (np) => fn.shale_w_memdb_load(np, p, bytes.length));
        fn.shale_w_free(p);
        if (!memHandle) throw new SqliteError('cannot load the database image', 'SQLITE_NOMEM', 7);
      }
    } else {
      path = storage.resolve ? storage.resolve(name) : name;
      vfs = 'host';
      // A storage shared with other tabs/Workers gives a cross-tab lock;
      // importing and reading the file table happen under it.
      lock = storage.lock ? storage.lock(path) : null;
      try {
        if (lock) {
          try {
            await lock.acquire(busyTimeout);
          } catch (err) {
            throw new SqliteError(`database is locked (${err.message})`, 'SQLITE_BUSY', 5);
          }
        }
        if (opts.data) await importImage(storage, path, opts.data, !!lock);
        await loadFileTable(e, storage, path, opts.mirrorHeader !== false);
      } catch (err) {
        lock?.close();
        if (err instanceof SqliteError) throw err;
        const rc = storageErrorRc(err);
        throw new SqliteError(`unable to open database file (${err.message})`, codeName(rc === SQLITE_IOERR ? 14 : rc),
          rc === SQLITE_IOERR ? 14 : rc);
      }
      e.io.register(path, storage);
    }
    const rc = e.withString(path, (np) => e.withString(vfs, (vp) => fn.shale_w_open(np, flags, vp)));
    const dbp = e.scratchNum(0);
    const db = new Database(e, dbp, { name, storageKind: kind, storage, path, memHandle, bigint: opts.bigint,
      lock, busyTimeout });
    if (rc !== SQLITE_OK) {
      const err = db._error(rc);
      await db.close().catch(() => {});
      throw err;
    }
    // Read the header and schema now, so that a file that is not a
    // database is reported by open() and prepare() rarely needs I/O.
    try {
      await db.exec('SELECT 1 FROM sqlite_schema LIMIT 0');
    } catch (err) {
      await db.close().catch(() => {});
      throw err;
    }
    return db;
  };
}
