// opfs-server.js — the side of the OPFS storage that holds the
// FileSystemSyncAccessHandles (only a dedicated Worker may create them).
// Runs inside opfs-worker.js (engine on the main thread or elsewhere), or
// in the engine's own dedicated Worker (called directly, no messages).
//
// Paths are '/'-separated names under the origin-private root; missing
// directories are created on first write.  Handles are opened on first use
// and kept; mode 'readwrite-unsafe' (Chromium ≥ 121) lets every tab's worker
// keep its own handle on the same file, the cross-tab Web Lock orders their
// use.  Where the browser only has exclusive handles, the client calls
// release(prefix) before giving up the Web Lock, so the next tab can open
// them (README.md, "OPFS handles").
export class OpfsServer {
  constructor(opts = {}) {
    this.handles = new Map(); // path -> FileSystemSyncAccessHandle
    this.opening = new Map(); // path -> promise of handle
    this.root = null;
    const proto = globalThis.FileSystemSyncAccessHandle?.prototype;
    this.unsafe = opts.mode === 'readwrite-unsafe' ||
      (opts.mode !== 'readwrite' && !!proto && 'mode' in proto);
  }
  async _dir(path, create) {
    if (!this.root) this.root = await navigator.storage.getDirectory();
    const parts = path.split('/').filter(Boolean);
    const base = parts.pop();
    let d = this.root;
    for (const p of parts) d = await d.getDirectoryHandle(p, { create });
    return { dir: d, base };
  }
  async _fileHandle(path, create) {
    try {
      const { dir, base } = await this._dir(path, create);
      return await dir.getFileHandle(base, { create });
    } catch (err) {
      if (!create && (err.name === 'NotFoundError' || err.name === 'TypeMismatchError')) return null;
      throw err;
    }
  }
  async _open(path) {
    const fh = await this._fileHandle(path, true);
    // An exclusive handle may still be held by another tab that is just
    // closing it (it closes before releasing the Web Lock): retry briefly.
    for (let tries = 0; ; tries++) {
      try {
        return this.unsafe ? await fh.createSyncAccessHandle({ mode: 'readwrite-unsafe' })
          : await fh.createSyncAccessHandle();
      } catch (err) {
        if (err.name !== 'NoModificationAllowedError' || tries >= 50) throw err;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }
  async handle(path) {
    const h = this.handles.get(path);
    if (h) return h;
    let p = this.opening.get(path);
    if (!p) {
      p = this._open(path).finally(() => this.opening.delete(path));
      this.opening.set(path, p);
    }
    const nh = await p;
    this.handles.set(path, nh);
    return nh;
  }
  async size(path) {
    const h = this.handles.get(path);
    if (h) return h.getSize();
    const fh = await this._fileHandle(path, false);
    if (!fh) return -1;
    return (await fh.getFile()).size;
  }
  async read(path, off, n) {
    if (!this.handles.has(path) && (await this.size(path)) < 0) return new Uint8Array(0);
    const h = await this.handle(path);
    const buf = new Uint8Array(n);
    const got = h.read(buf, { at: off });
    return got === n ? buf : buf.slice(0, got);
  }
  async write(path, off, bytes) {
    const h = await this.handle(path);
    let done = 0;
    while (done < bytes.length) {
      const w = h.write(bytes.subarray(done), { at: off + done });
      if (w <= 0) throw Object.assign(new Error('short write'), { name: 'QuotaExceededError' });
      done += w;
    }
  }
  async truncate(path, size) { (await this.handle(path)).truncate(size); }
  async sync(path) { this.handles.get(path)?.flush(); }
  async close(path) {
    const h = this.handles.get(path);
    if (!h) return;
    this.handles.delete(path);
    h.flush();
    h.close();
  }
  async remove(path) {
    await this.close(path);
    try {
      const { dir, base } = await this._dir(path, false);
      await dir.removeEntry(base);
    } catch (err) {
      if (err.name !== 'NotFoundError') throw err;
    }
  }
  async writeAll(path, bytes) {
    const h = await this.handle(path);
    h.truncate(0);
    await this.write(path, 0, bytes);
    h.flush();
  }
  async readAll(path) {
    const sz = await this.size(path);
    return sz <= 0 ? new Uint8Array(0) : await this.read(path, 0, sz);
  }
  // Sizes of the database and its journal files, and the database's first
  // `head` bytes: what the client needs after another tab had the lock.
  async snapshot(path, suffixes, head) {
    const sizes = [];
    for (const s of suffixes) sizes.push(await this.size(path + s));
    const data = sizes[0] > 0 ? await this.read(path, 0, Math.min(sizes[0], head)) : new Uint8Array(0);
    return { sizes, head: data };
  }
  // Close (after flushing) every handle under prefix: exclusive-mode handles
  // must be free before another tab takes the lock.
  async release(prefix) {
    if (!this.unsafe) await this.closeAll(prefix);
  }
  async closeAll(prefix) {
    for (const p of [...this.handles.keys()]) if (p.startsWith(prefix)) await this.close(p);
  }
  async info() { return { unsafe: this.unsafe }; }
}

// The worker's message loop: { id, op, args, mode } in, { id, result } or
// { id, error } out, one operation at a time.  Used by opfs-worker.js and,
// as source text, by the blob: worker of opfs-storage.js, so it must use
// nothing from its module.
export function workerLoop(Server) {
  let server = null;
  let chain = Promise.resolve(); // one operation at a time, in arrival order
  const serve = async ({ id, op, args, mode }) => {
    try {
      if (!server) server = new Server({ mode });
      const result = await server[op](...args);
      const transfer = [];
      if (result instanceof Uint8Array) transfer.push(result.buffer);
      else if (result && result.head instanceof Uint8Array) transfer.push(result.head.buffer);
      self.postMessage({ id, result }, transfer);
    } catch (err) {
      self.postMessage({ id, error: { name: err?.name || 'Error', message: String(err?.message || err) } });
    }
  };
  self.onmessage = (ev) => { chain = chain.then(() => serve(ev.data)); };
  self.postMessage({ ready: true });
}
