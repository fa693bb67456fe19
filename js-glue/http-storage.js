// http-storage.js — HttpRangeStorage: a read-only Storage (see index.d.ts)
// that reads a database file over HTTP with Range requests, one request per
// read the engine makes (the first 64 KiB are fetched once by open()).
// Open it with { readonly: true }.  Works wherever fetch() does: browsers,
// workerd (pass a service binding's fetch), Node, Deno, Bun.
//
//   const db = await open('https://example.com/data.db',
//                         { storage: new HttpRangeStorage(), readonly: true });
//
// Options: fetch (a fetch function, e.g. env.ASSETS.fetch.bind(env.ASSETS)),
// headers (added to every request).  Only the main file exists: the
// -journal and -wal names report "no file".

export class HttpRangeStorage {
  constructor(opts = {}) {
    this.fetch = opts.fetch ?? ((...a) => globalThis.fetch(...a));
    this.headers = opts.headers ?? {};
    this.sizes = new Map(); // url -> size
    this.requests = 0;      // how many HTTP requests were made
  }
  resolve(name) { return name; }
  _isMain(p) { return !/-(journal|wal)$/.test(p); }

  async size(p) {
    if (!this._isMain(p)) return -1;
    if (this.sizes.has(p)) return this.sizes.get(p);
    this.requests++;
    const res = await this.fetch(p, { method: 'HEAD', headers: this.headers });
    let size = -1;
    if (res.ok) size = Number(res.headers.get('content-length') ?? -1);
    if (res.status === 404) size = -1;
    else if (!res.ok) throw new Error(`HEAD ${p}: HTTP ${res.status}`);
    this.sizes.set(p, size);
    return size;
  }

  async read(p, off, n) {
    const size = await this.size(p);
    const end = Math.min(size, off + n);
    if (off >= end) return new Uint8Array(0);
    this.requests++;
    const res = await this.fetch(p, { headers: { ...this.headers, range: `bytes=${off}-${end - 1}` } });
    if (res.status === 206) return new Uint8Array(await res.arrayBuffer());
    if (res.status === 200) {
      // a server without Range support sends the whole file
      const all = new Uint8Array(await res.arrayBuffer());
      return all.slice(off, end);
    }
    throw new Error(`GET ${p} bytes ${off}-${end - 1}: HTTP ${res.status}`);
  }

  async readAll(p) {
    const size = await this.size(p);
    return size > 0 ? await this.read(p, 0, size) : new Uint8Array(0);
  }

  _readonly() { throw new Error('HttpRangeStorage is read-only: open with { readonly: true }'); }
  async write() { this._readonly(); }
  async truncate() { this._readonly(); }
  async writeAll() { this._readonly(); }
  async remove() { this._readonly(); }
  async sync() {}
  async close() {}
}
