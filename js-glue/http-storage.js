// http-storage.js — HttpRangeStorage: a read-only Storage (see index.d.ts)
// that reads a database file over HTTP with Range requests, through a small
// cache of aligned blocks (blockSize, default 64 KiB; cacheBlocks, default
// 64).  The file must not change while open (no validation by ETag).
// Open it with { readonly: true }.  Works wherever fetch() does: browsers,
// workerd (pass a service binding's fetch), Node, Deno, Bun.
//
//   const db = await open('https://example.com/data.db',
//                         { storage: new HttpRangeStorage(), readonly: true });
//
// Options: fetch (a fetch function, e.g. env.ASSETS.fetch.bind(env.ASSETS)),
// headers (added to every request), blockSize, cacheBlocks.  Only the main file exists: the
// -journal and -wal names report "no file".

export class HttpRangeStorage {
  constructor(opts = {}) {
    this.fetch = opts.fetch ?? ((...a) => globalThis.fetch(...a));
    this.headers = opts.headers ?? {};
    this.blockSize = opts.blockSize ?? 65536;
    this.cacheBlocks = opts.cacheBlocks ?? 64;
    this.sizes = new Map(); // url -> size
    this.cache = new Map(); // `${block}:${url}` -> bytes, least recently used first
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

  // Reads go through a cache of aligned blocks (blockSize bytes, the last
  // cacheBlocks kept): a run of missing blocks is one Range request, so a
  // scan costs one request per block, not one per page.
  async read(p, off, n) {
    const size = await this.size(p);
    const end = Math.min(size, off + n);
    if (off >= end) return new Uint8Array(0);
    const bs = this.blockSize;
    const first = Math.floor(off / bs), last = Math.floor((end - 1) / bs);
    const blocks = [];
    for (let i = first; i <= last;) {
      const cached = this._cached(p, i);
      if (cached) { blocks.push(cached); i++; continue; }
      let j = i;
      while (j + 1 <= last && !this._cached(p, j + 1)) j++;
      const from = i * bs, to = Math.min(size, (j + 1) * bs);
      const bytes = await this._fetchRange(p, from, to);
      for (let k = i; k <= j; k++) {
        const b = bytes.subarray((k - i) * bs, Math.min(bytes.length, (k - i + 1) * bs));
        this._store(p, k, b);
        blocks.push(b);
      }
      i = j + 1;
    }
    const out = new Uint8Array(end - off);
    blocks.forEach((b, idx) => {
      const start = (first + idx) * bs;
      const from = Math.max(off, start), to = Math.min(end, start + b.length);
      if (to > from) out.set(b.subarray(from - start, to - start), from - off);
    });
    return out;
  }

  async _fetchRange(p, from, to) {
    this.requests++;
    const res = await this.fetch(p, { headers: { ...this.headers, range: `bytes=${from}-${to - 1}` } });
    if (res.status === 206) return new Uint8Array(await res.arrayBuffer());
    if (res.status === 200) {
      // a server without Range support sends the whole file
      const all = new Uint8Array(await res.arrayBuffer());
      return all.slice(from, to);
    }
    throw new Error(`GET ${p} bytes ${from}-${to - 1}: HTTP ${res.status}`);
  }

  _cached(p, i) {
    const k = `${i}:${p}`;
    const b = this.cache.get(k);
    if (b) { this.cache.delete(k); this.cache.set(k, b); } // most recently used last
    return b;
  }

  _store(p, i, b) {
    this.cache.set(`${i}:${p}`, b);
    while (this.cache.size > this.cacheBlocks) this.cache.delete(this.cache.keys().next().value);
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
