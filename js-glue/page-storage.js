// page-storage.js — PageStorage: a Storage (see index.d.ts) over any async
// key-value store with the batch get/put/delete shape of Cloudflare Durable
// Object storage (`state.storage` fits as it is; a Map fits through
// mapPageStore()).  Each file is cut into fixed-size pages, one value per
// page (`<path>#<page number>`), plus one `<path>#size` value.
//
// The store interface (what a user implements for their backend):
//   get(keys: string[]): Promise<Map<string, Uint8Array | number>>  (missing keys absent)
//   put(entries: Record<string, Uint8Array | number>): Promise<void>
//   delete(keys: string[]): Promise<unknown>
// Calls are batched to at most `batch` keys (Durable Objects allow 128).
// One PageStorage should own a store's keys: it caches file sizes.
// No *Sync methods: the engine never blocks on this storage.

const SIZE_KEY = '#size';

export class PageStorage {
  constructor(store, opts = {}) {
    if (!store || typeof store.get !== 'function' || typeof store.put !== 'function' ||
        typeof store.delete !== 'function') {
      throw new TypeError('PageStorage needs a store with get(keys), put(entries) and delete(keys)');
    }
    this.store = store;
    this.pageSize = opts.pageSize ?? 4096;
    this.batch = opts.batch ?? 128;
    this.prefix = opts.prefix ?? '';
    this.sizes = new Map(); // path -> size (-1: no file)
  }
  resolve(name) { return name; }
  _key(p, i) { return `${this.prefix}${p}#${i}`; }
  _sizeKey(p) { return `${this.prefix}${p}${SIZE_KEY}`; }

  async _getMany(keys) {
    const out = new Map();
    for (let i = 0; i < keys.length; i += this.batch) {
      const got = await this.store.get(keys.slice(i, i + this.batch));
      for (const [k, v] of got) out.set(k, v);
    }
    return out;
  }
  async _putMany(entries) {
    for (let i = 0; i < entries.length; i += this.batch) {
      await this.store.put(Object.fromEntries(entries.slice(i, i + this.batch)));
    }
  }
  async _deleteMany(keys) {
    for (let i = 0; i < keys.length; i += this.batch) await this.store.delete(keys.slice(i, i + this.batch));
  }
  async _setSize(p, size) {
    this.sizes.set(p, size);
    await this._putMany([[this._sizeKey(p), size]]);
  }

  async size(p) {
    if (this.sizes.has(p)) return this.sizes.get(p);
    const got = await this._getMany([this._sizeKey(p)]);
    const size = got.has(this._sizeKey(p)) ? Number(got.get(this._sizeKey(p))) : -1;
    this.sizes.set(p, size);
    return size;
  }

  // Pages first..last of p as a Map page number -> Uint8Array (absent: zeros).
  async _pages(p, first, last) {
    const keys = [];
    for (let i = first; i <= last; i++) keys.push(this._key(p, i));
    const got = await this._getMany(keys);
    const pages = new Map();
    for (let i = first; i <= last; i++) {
      const v = got.get(this._key(p, i));
      if (v) pages.set(i, v instanceof Uint8Array ? v : new Uint8Array(v));
    }
    return pages;
  }

  async read(p, off, n) {
    const size = await this.size(p);
    const end = Math.min(size, off + n);
    if (size < 0 || off >= end) return new Uint8Array(0);
    const ps = this.pageSize;
    const first = Math.floor(off / ps), last = Math.floor((end - 1) / ps);
    const pages = await this._pages(p, first, last);
    const out = new Uint8Array(end - off);
    for (let i = first; i <= last; i++) {
      const page = pages.get(i);
      if (!page) continue;
      const from = Math.max(off, i * ps), to = Math.min(end, (i + 1) * ps);
      out.set(page.subarray(from - i * ps, to - i * ps), from - off);
    }
    return out;
  }

  async write(p, off, data) {
    if (!data.length) return;
    const ps = this.pageSize;
    const end = off + data.length;
    const first = Math.floor(off / ps), last = Math.floor((end - 1) / ps);
    // Pages only partly covered keep their other bytes: read them first.
    const partial = [];
    if (off % ps) partial.push(first);
    if (end % ps && !partial.includes(last)) partial.push(last);
    const old = new Map();
    for (const i of partial) {
      const got = await this._pages(p, i, i);
      if (got.has(i)) old.set(i, got.get(i));
    }
    const entries = [];
    for (let i = first; i <= last; i++) {
      const page = new Uint8Array(ps);
      if (old.has(i)) page.set(old.get(i).subarray(0, ps));
      const from = Math.max(off, i * ps), to = Math.min(end, (i + 1) * ps);
      page.set(data.subarray(from - off, to - off), from - i * ps);
      entries.push([this._key(p, i), page]);
    }
    await this._putMany(entries);
    const size = await this.size(p);
    if (end > size) await this._setSize(p, end);
  }

  async truncate(p, newSize) {
    const size = await this.size(p);
    if (newSize >= size) {
      // never grows a file (as MemoryStorage); creates a missing one, empty
      if (size < 0) await this._setSize(p, 0);
      return;
    }
    const ps = this.pageSize;
    const keep = Math.ceil(newSize / ps); // pages 0..keep-1 stay
    const drop = [];
    for (let i = keep; i * ps < size; i++) drop.push(this._key(p, i));
    await this._deleteMany(drop);
    if (newSize % ps) {
      // zero the tail of the last kept page, so a later extension reads zeros
      const i = keep - 1;
      const got = await this._pages(p, i, i);
      if (got.has(i)) {
        const page = got.get(i).slice(0, ps);
        page.fill(0, newSize - i * ps);
        await this._putMany([[this._key(p, i), page]]);
      }
    }
    await this._setSize(p, newSize);
  }

  async sync() {}
  async close() {}

  async remove(p) {
    const size = await this.size(p);
    if (size < 0) return;
    const keys = [this._sizeKey(p)];
    for (let i = 0; i * this.pageSize < size; i++) keys.push(this._key(p, i));
    await this._deleteMany(keys);
    this.sizes.set(p, -1);
  }

  async writeAll(p, bytes) {
    await this.remove(p);
    await this._setSize(p, 0);
    await this.write(p, 0, bytes);
  }

  async readAll(p) {
    const size = await this.size(p);
    return size > 0 ? await this.read(p, 0, size) : new Uint8Array(0);
  }
}

// mapPageStore(map) -> the store interface over a Map (or anything with
// Map's get/set/delete): for tests, or as a model for another backend.
export function mapPageStore(map = new Map()) {
  return {
    map,
    async get(keys) {
      const out = new Map();
      for (const k of keys) if (map.has(k)) out.set(k, map.get(k));
      return out;
    },
    async put(entries) {
      for (const [k, v] of Object.entries(entries)) map.set(k, v instanceof Uint8Array ? v.slice() : v);
    },
    async delete(keys) {
      let n = 0;
      for (const k of keys) if (map.delete(k)) n++;
      return n;
    },
  };
}
