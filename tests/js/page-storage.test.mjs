// page-storage.test.mjs — PageStorage against MemoryStorage as the model:
// random writes, truncates, reads, writeAll/readAll and removes at random
// offsets (pages of 7 bytes, batches of 2 keys) give the same bytes and
// sizes; the page store holds no page beyond a file's end.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { rng, wasmDir } from './helpers.mjs';

const api = await import(path.join(wasmDir, 'page-storage.js'));
const { MemoryStorage } = await import(path.join(wasmDir, 'memory-storage.js'));

it('PageStorage behaves like MemoryStorage under random operations', async () => {
  const r = rng(); // seeded by SHALE_JS_SEED
  const store = api.mapPageStore();
  const ps = new api.PageStorage(store, { pageSize: 7, batch: 2 });
  const model = new MemoryStorage({ syncMethods: false });
  const files = ['a.db', 'a.db-journal', 'b.db'];
  const int = (n) => Math.floor(r() * n);
  for (let step = 0; step < 3000; step++) {
    const f = files[int(files.length)];
    const op = int(10);
    if (op < 4) {
      const off = int(120), data = Uint8Array.from({ length: 1 + int(30) }, () => 1 + int(255));
      await ps.write(f, off, data); await model.write(f, off, data);
    } else if (op < 6) {
      const size = int(130);
      await ps.truncate(f, size); await model.truncate(f, size);
    } else if (op < 8) {
      const off = int(140), n = 1 + int(40);
      assert.deepEqual(await ps.read(f, off, n), await model.read(f, off, n), `step ${step}: read ${f} ${off}+${n}`);
    } else if (op === 8) {
      assert.deepEqual(await ps.readAll(f), await model.readAll(f), `step ${step}: readAll ${f}`);
    } else if (int(4) === 0) {
      await ps.remove(f); await model.remove(f);
    } else {
      const data = Uint8Array.from({ length: int(50) }, () => int(256));
      await ps.writeAll(f, data); await model.writeAll(f, data);
    }
    for (const g of files) assert.equal(await ps.size(g), await model.size(g), `step ${step}: size ${g}`);
  }
  // a fresh PageStorage over the same store (no cached sizes) sees the same files
  const again = new api.PageStorage(store, { pageSize: 7 });
  for (const g of files) {
    assert.equal(await again.size(g), await model.size(g));
    assert.deepEqual(await again.readAll(g), await model.readAll(g));
  }
  // no page is kept beyond a file's end
  for (const key of store.map.keys()) {
    const m = /^(.*)#(\d+)$/.exec(key);
    if (!m) continue;
    assert.ok(Number(m[2]) * 7 < await model.size(m[1]), `stale page ${key}`);
  }
});

it('PageStorage rejects a store without get/put/delete', () => {
  assert.throws(() => new api.PageStorage({ get() {} }), TypeError);
});
