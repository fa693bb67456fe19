// idb-storage.js — storage 'idb': database files in IndexedDB, for browsers
// (or contexts) without OPFS.  One IndexedDB database ('shale-sql') holds
// every file:
//   object store 'files'  : path -> { size }
//   object store 'blocks' : [path, index] -> ArrayBuffer of BLOCK bytes
// With the default page size (4096) a block is a page.  Writes are
// buffered in memory (dirty blocks) and written by the next sync of the
// file in ONE readwrite transaction with durability 'strict' (so a commit's
// pages land together, and sync resolves only once IndexedDB confirmed);
// truncate and remove are written at once.  Reads see the buffered blocks.
// Nothing is cached across a hand-over of the cross-tab lock:
// beforeRelease() writes and forgets everything of the database.
import { TabLock } from './tab-lock.js';

export const BLOCK = 4096;
const DB_NAME = 'shale-sql';

export function idbAvailable() {
  return typeof indexedDB !== 'undefined' && indexedDB !== null;
}

function reqP(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function txDone(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    const fail = () => {
      const e = tx.error || new Error('IndexedDB transaction aborted');
      const err = new Error(e.message);
      err.name = e.name;
      if (e.name === 'QuotaExceededError') err.rc = 13; // SQLITE_FULL
      reject(err);
    };
    tx.onerror = fail;
    tx.onabort = fail;
  });
}

let dbPromise = null;
function openIdb() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains('files')) db.createObjectStore('files');
        if (!db.objectStoreNames.contains('blocks')) db.createObjectStore('blocks');
      };
      req.onsuccess = () => {
        const db = req.result;
        db.onversionchange = () => { db.close(); dbPromise = null; };
        db.onclose = () => { dbPromise = null; }; // closed by the browser: reopen on next use
        resolve(db);
      };
      req.onerror = () => { dbPromise = null; reject(req.error); };
      req.onblocked = () => { dbPromise = null; reject(new Error('IndexedDB open blocked')); };
    });
  }
  return dbPromise;
}

const PREFIX = 'idb:/';
const strip = (p) => (p.startsWith(PREFIX) ? p.slice(PREFIX.length) : p);
const range = (p, from = 0) => IDBKeyRange.bound([p, from], [p, Infinity]);

export class IdbStorage {
  constructor() {
    this.kind = 'idb';
    this.files = new Map(); // path -> { size, stored, dirty: Map<index, Uint8Array>, truncFrom }
  }
  // The host VFS names files 'idb:/<name>' (distinct from the same name in
  // another storage); records use the plain name.
  resolve(name) { return PREFIX + name; }
  async _tx(mode, durability) {
    const db = await openIdb();
    return db.transaction(['files', 'blocks'], mode, durability ? { durability } : undefined);
  }
  // The file's state; its size is read from IndexedDB on first use.
  async _state(p) {
    let st = this.files.get(p);
    if (st) return st;
    const tx = await this._tx('readonly');
    const meta = await reqP(tx.objectStore('files').get(p));
    st = this.files.get(p); // another call may have loaded it meanwhile
    if (st) return st;
    const size = meta ? meta.size : -1;
    st = { size, stored: size, dirty: new Map(), truncFrom: -1 };
    this.files.set(p, st);
    return st;
  }
  async size(p) {
    p = strip(p);
    return (await this._state(p)).size;
  }
  async _blocks(p, indexes) {
    if (!indexes.length) return new Map();
    const tx = await this._tx('readonly');
    const store = tx.objectStore('blocks');
    const got = await Promise.all(indexes.map((i) => reqP(store.get([p, i]))));
    const m = new Map();
    indexes.forEach((i, k) => { if (got[k]) m.set(i, new Uint8Array(got[k])); });
    return m;
  }
  async read(p, off, n) {
    p = strip(p);
    const st = await this._state(p);
    const end = Math.min(off + n, Math.max(st.size, 0));
    if (end <= off) return new Uint8Array(0);
    const out = new Uint8Array(end - off);
    const first = Math.floor(off / BLOCK), last = Math.floor((end - 1) / BLOCK);
    const need = [];
    for (let i = first; i <= last; i++) if (!st.dirty.has(i) && i * BLOCK < st.stored) need.push(i);
    const fetched = await this._blocks(p, need);
    for (let i = first; i <= last; i++) {
      const b = st.dirty.get(i) ?? fetched.get(i);
      if (!b) continue; // a hole: zeros
      const bs = i * BLOCK;
      const from = Math.max(off, bs), to = Math.min(end, bs + BLOCK);
      out.set(b.subarray(from - bs, to - bs), from - off);
    }
    return out;
  }
  async write(p, off, bytes) {
    p = strip(p);
    const st = await this._state(p);
    if (st.size < 0) st.size = 0;
    const end = off + bytes.length;
    const first = Math.floor(off / BLOCK), last = Math.floor((end - 1) / BLOCK);
    // blocks partly covered, not buffered, holding stored data: read them first
    const need = [];
    for (let i = first; i <= last; i++) {
      const bs = i * BLOCK;
      const whole = off <= bs && end >= bs + BLOCK;
      if (!whole && !st.dirty.has(i) && bs < st.stored) need.push(i);
    }
    const fetched = await this._blocks(p, need);
    for (let i = first; i <= last; i++) {
      let b = st.dirty.get(i);
      if (!b) {
        b = fetched.get(i) ?? new Uint8Array(BLOCK);
        st.dirty.set(i, b);
      }
      const bs = i * BLOCK;
      const from = Math.max(off, bs), to = Math.min(end, bs + BLOCK);
      b.set(bytes.subarray(from - off, to - off), from - bs);
    }
    if (end > st.size) st.size = end;
  }
  async truncate(p, size) {
    p = strip(p);
    const st = await this._state(p);
    if (st.size < 0) st.size = 0;
    if (size < st.size) {
      const keep = Math.ceil(size / BLOCK);
      for (const i of [...st.dirty.keys()]) if (i >= keep) st.dirty.delete(i);
      st.truncFrom = st.truncFrom < 0 ? keep : Math.min(st.truncFrom, keep);
      if (size % BLOCK) {
        // zero the cut-off tail of the last block, so a later growth reads zeros
        const i = keep - 1;
        let b = st.dirty.get(i);
        if (!b && i * BLOCK < st.stored) b = (await this._blocks(p, [i])).get(i);
        if (b) {
          b.fill(0, size % BLOCK);
          st.dirty.set(i, b);
        }
      }
    }
    st.size = size;
    await this._flush(p);
  }
  // Write the file's buffered blocks and size in one transaction.
  async _flush(p) {
    const st = this.files.get(p);
    if (!st || st.size < 0) return;
    if (!st.dirty.size && st.truncFrom < 0 && st.size === st.stored) return;
    const tx = await this._tx('readwrite', 'strict');
    const done = txDone(tx);
    const blocks = tx.objectStore('blocks');
    if (st.truncFrom >= 0) blocks.delete(range(p, st.truncFrom));
    for (const [i, b] of st.dirty) blocks.put(b.slice().buffer, [p, i]);
    tx.objectStore('files').put({ size: st.size }, p);
    const written = st.dirty;
    st.dirty = new Map();
    st.truncFrom = -1;
    try {
      await done;
    } catch (err) {
      // keep what was not written, so a retry can write it
      for (const [i, b] of written) if (!st.dirty.has(i)) st.dirty.set(i, b);
      this.files.delete(p);
      throw err;
    }
    st.stored = st.size;
  }
  async sync(p) {
    p = strip(p);
    await this._flush(p);
  }
  async close(p) {
    p = strip(p);
    await this._flush(p);
    this.files.delete(p);
  }
  async remove(p) {
    p = strip(p);
    this.files.delete(p);
    const tx = await this._tx('readwrite', 'strict');
    const done = txDone(tx);
    tx.objectStore('blocks').delete(range(p));
    tx.objectStore('files').delete(p);
    await done;
  }
  async writeAll(p, bytes) {
    p = strip(p);
    this.files.delete(p);
    const tx = await this._tx('readwrite', 'strict');
    const done = txDone(tx);
    const blocks = tx.objectStore('blocks');
    blocks.delete(range(p));
    for (let i = 0; i * BLOCK < bytes.length; i++) {
      const b = new Uint8Array(BLOCK);
      b.set(bytes.subarray(i * BLOCK, Math.min(bytes.length, (i + 1) * BLOCK)));
      blocks.put(b.buffer, [p, i]);
    }
    tx.objectStore('files').put({ size: bytes.length }, p);
    await done;
  }
  async readAll(p) {
    p = strip(p);
    await this._flush(p);
    const tx = await this._tx('readonly');
    const [meta, keys, vals] = await Promise.all([
      reqP(tx.objectStore('files').get(p)),
      reqP(tx.objectStore('blocks').getAllKeys(range(p))),
      reqP(tx.objectStore('blocks').getAll(range(p)))]);
    const size = meta ? meta.size : 0;
    const out = new Uint8Array(size);
    keys.forEach((k, j) => {
      const bs = k[1] * BLOCK;
      if (bs < size) out.set(new Uint8Array(vals[j]).subarray(0, Math.min(BLOCK, size - bs)), bs);
    });
    return out;
  }
  async closeAll(prefix) {
    prefix = strip(prefix);
    for (const p of [...this.files.keys()]) if (p.startsWith(prefix)) await this.close(p);
  }
  // Sizes of path+suffix and the first `head` bytes of path, in one read.
  async snapshot(p, suffixes, head) {
    p = strip(p);
    for (const s of suffixes) this.files.delete(p + s);
    const sizes = [];
    for (const s of suffixes) sizes.push(await this.size(p + s));
    const data = sizes[0] > 0 ? await this.read(p, 0, Math.min(sizes[0], head)) : new Uint8Array(0);
    return { sizes, head: data };
  }
  // Before the cross-tab lock goes: write everything, forget everything.
  async beforeRelease(p) {
    p = strip(p);
    await this.closeAll(p);
  }
  lock(p) {
    p = strip(p);
    return new TabLock(`shale:idb:${p}`);
  }
}

let shared = null;
export async function createIdbStorage() {
  if (!idbAvailable()) throw Object.assign(new Error('IndexedDB is not available here'), { rc: 14 });
  await openIdb();
  if (!shared) shared = new IdbStorage();
  return shared;
}
