// opfs-storage.js — storage 'opfs': database files in the Origin Private
// File System, served to the host VFS through the Storage interface
// (js-glue/README.md, "Storage interface").
//
// Sync access handles exist only in dedicated Workers, so the handles live
// in a library-owned Worker (opfs-worker.js, one per page/realm) and every
// operation is a message; bytes are transferred, nothing is shared, so no
// COOP/COEP headers are needed.  When the engine itself runs in a dedicated
// Worker, the same OpfsServer runs in-process instead (no second Worker).
// Multi-tab: a TabLock per database (tab-lock.js).
import { OpfsServer, workerLoop } from './opfs-server.js';
import { TabLock } from './tab-lock.js';

function inDedicatedWorker() {
  return typeof globalThis.DedicatedWorkerGlobalScope === 'function' &&
    globalThis instanceof globalThis.DedicatedWorkerGlobalScope &&
    typeof globalThis.FileSystemSyncAccessHandle === 'function';
}

// OPFS with sync access handles is reachable: here (a dedicated Worker) or
// through a Worker we can start (not from a SharedWorker/ServiceWorker).
export function opfsAvailable() {
  return typeof navigator !== 'undefined' && !!navigator.storage?.getDirectory &&
    typeof globalThis.FileSystemFileHandle === 'function' &&
    (inDedicatedWorker() || typeof globalThis.Worker === 'function');
}

function storageError(e) {
  const err = new Error(e.message);
  err.name = e.name;
  if (e.name === 'QuotaExceededError') err.rc = 13; // SQLITE_FULL
  return err;
}

// The worker connection: call(op, ...args) -> promise of the result.
class WorkerLink {
  constructor(url, mode) {
    this.mode = mode;
    this.pending = new Map();
    this.nextId = 1;
    this.failed = null;
    this.worker = new Worker(url, { type: 'module', name: 'shale-opfs' });
    this.ready = new Promise((resolve, reject) => {
      this.worker.onmessage = (ev) => {
        const m = ev.data;
        if (m.ready) { resolve(); return; }
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.error) p.reject(storageError(m.error)); else p.resolve(m.result);
      };
      const fail = (ev) => {
        ev?.preventDefault?.();
        const msg = ev?.message || 'the OPFS worker failed to start or crashed';
        this.failed = new Error(`opfs worker: ${msg}`);
        reject(this.failed);
        for (const p of this.pending.values()) p.reject(this.failed);
        this.pending.clear();
      };
      this.worker.onerror = fail;
      this.worker.onmessageerror = fail;
    });
  }
  async call(op, args, transfer = []) {
    await this.ready;
    if (this.failed) throw this.failed;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, args, mode: this.mode }, transfer);
    });
  }
}

class InProcessLink {
  constructor(mode) { this.server = new OpfsServer({ mode }); this.chain = Promise.resolve(); }
  call(op, args) {
    // one operation at a time, like the worker
    const p = this.chain.then(() => this.server[op](...args));
    this.chain = p.catch(() => {});
    return p;
  }
}

// The default worker is built from this module's own OpfsServer class (it
// imports nothing) and the same loop as opfs-worker.js (workerLoop), as a blob: URL, so
// it works wherever a bundler put this file (Vite, esbuild, …) with no
// worker file to emit or copy.  opfs-worker.js stays for { opfsWorkerURL }
// (e.g. a CSP without blob: in worker-src).
let inlineURL = null;
function inlineWorkerURL() {
  if (!inlineURL) {
    const src = `const OpfsServer = ${OpfsServer.toString()};\n(${workerLoop.toString()})(OpfsServer);\n`;
    inlineURL = URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
  }
  return inlineURL;
}

const links = new Map(); // mode + worker -> link (one worker per realm and handle mode)

function linkFor(opts) {
  const mode = opts.opfsMode || 'auto';
  const inproc = opts.opfsWorker === false || (opts.opfsWorker !== true && inDedicatedWorker());
  const url = inproc ? '' : String(opts.opfsWorkerURL ?? inlineWorkerURL());
  const key = `${mode} ${url}`;
  let l = links.get(key);
  if (!l) {
    l = inproc ? new InProcessLink(mode) : new WorkerLink(url, mode);
    links.set(key, l);
    // a worker that failed is not reused: the next open() starts a new one
    l.ready?.catch(() => { if (links.get(key) === l) links.delete(key); });
  }
  return l;
}

// The host VFS names files 'opfs:/<path in OPFS>', so a database of the
// same name in another storage (or in memory) is a different file there.
const PREFIX = 'opfs:/';
const strip = (p) => (p.startsWith(PREFIX) ? p.slice(PREFIX.length) : p.replace(/^\/+/, ''));

export class OpfsStorage {
  constructor(opts = {}) {
    this.link = linkFor(opts);
    this.kind = 'opfs';
  }
  resolve(name) { return PREFIX + name.replace(/^\/+/, ''); }
  size(p) { return this.link.call('size', [strip(p)]); }
  read(p, off, n) { return this.link.call('read', [strip(p), off, n]); }
  write(p, off, bytes) {
    // `bytes` is a private copy (HostIO slices it out of wasm memory): transfer it
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    return this.link.call('write', [strip(p), off, bytes], own ? [bytes.buffer] : []);
  }
  truncate(p, size) { return this.link.call('truncate', [strip(p), size]); }
  sync(p) { return this.link.call('sync', [strip(p)]); }
  close(p) { return this.link.call('close', [strip(p)]); }
  remove(p) { return this.link.call('remove', [strip(p)]); }
  writeAll(p, bytes) {
    const own = bytes.slice();
    return this.link.call('writeAll', [strip(p), own], [own.buffer]);
  }
  readAll(p) { return this.link.call('readAll', [strip(p)]); }
  closeAll(prefix) { return this.link.call('closeAll', [strip(prefix)]); }
  snapshot(p, suffixes, head) { return this.link.call('snapshot', [strip(p), suffixes, head]); }
  beforeRelease(p) { return this.link.call('release', [strip(p)]); }
  lock(p) { return new TabLock(`shale:opfs:${strip(p)}`); }
  info() { return this.link.call('info', []); }
}

export async function createOpfsStorage(opts = {}) {
  const st = new OpfsStorage(opts);
  if (st.link.ready) await st.link.ready; // surface a worker that cannot start
  return st;
}
