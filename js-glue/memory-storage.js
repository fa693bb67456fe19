// memory-storage.js — a Storage kept in JavaScript memory (Map of byte
// arrays), served through the host VFS like any other async storage.  A
// model for user storages (Durable Object storage, HTTP range reads, …):
// implement the same methods over your store.  With { syncMethods: false }
// it offers no *Sync methods, like a purely asynchronous store.
export class MemoryStorage {
  constructor(opts = {}) {
    this.files = new Map(); // path -> { data: Uint8Array, size: number }
    if (opts.syncMethods === false) {
      for (const m of ['readSync', 'writeSync', 'truncateSync', 'syncSync', 'closeSync', 'removeSync']) {
        this[m] = undefined;
      }
    }
  }
  resolve(name) { return name; }
  _get(p, create) {
    let f = this.files.get(p);
    if (!f && create) { f = { data: new Uint8Array(0), size: 0 }; this.files.set(p, f); }
    return f;
  }
  async size(p) { const f = this.files.get(p); return f ? f.size : -1; }
  readSync(p, off, n) {
    const f = this.files.get(p);
    if (!f || off >= f.size) return new Uint8Array(0);
    return f.data.slice(off, Math.min(f.size, off + n));
  }
  writeSync(p, off, bytes) {
    const f = this._get(p, true);
    const end = off + bytes.length;
    if (end > f.data.length) {
      const nd = new Uint8Array(Math.max(end, f.data.length * 2));
      nd.set(f.data.subarray(0, f.size));
      f.data = nd;
    }
    f.data.set(bytes, off);
    if (end > f.size) f.size = end;
  }
  truncateSync(p, size) {
    const f = this._get(p, true);
    if (size < f.size) f.data.fill(0, size, f.size);
    f.size = Math.min(f.size, size);
  }
  syncSync() {}
  closeSync() {}
  removeSync(p) { this.files.delete(p); }
  async read(p, off, n) { return MemoryStorage.prototype.readSync.call(this, p, off, n); }
  async write(p, off, b) { MemoryStorage.prototype.writeSync.call(this, p, off, b); }
  async truncate(p, s) { MemoryStorage.prototype.truncateSync.call(this, p, s); }
  async sync() {}
  async close() {}
  async remove(p) { this.files.delete(p); }
  async writeAll(p, bytes) { this.files.set(p, { data: bytes.slice(), size: bytes.length }); }
  async readAll(p) { const f = this.files.get(p); return f ? f.data.slice(0, f.size) : new Uint8Array(0); }
}
