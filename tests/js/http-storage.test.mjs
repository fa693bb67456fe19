// http-storage.test.mjs — HttpRangeStorage: a database made by sqlite3 is
// served by a local HTTP server with Range support and queried read-only
// from both builds, with reads done as Range requests (and a server without
// Range support still works).
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { builds, tmpdir } from './helpers.mjs';

let dir, server, base, fileSize, ranges = 0, fulls = 0;
before(async () => {
  dir = tmpdir();
  const db = path.join(dir, 'served.db');
  execFileSync('sqlite3', [db], { input: `PRAGMA page_size=1024;
    CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT);
    WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i < 3000)
    INSERT INTO t SELECT i, printf('value %d %s', i, hex(randomblob(20))) FROM c;
    CREATE INDEX tv ON t(v);` });
  const bytes = fs.readFileSync(db);
  fileSize = bytes.length;
  server = http.createServer((req, res) => {
    if (req.url === '/missing.db') { res.writeHead(404); res.end(); return; }
    const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range || '');
    if (m && req.url !== '/norange.db') {
      ranges++;
      const a = Number(m[1]), b = Math.min(Number(m[2]), bytes.length - 1);
      res.writeHead(206, { 'content-length': b - a + 1, 'content-range': `bytes ${a}-${b}/${bytes.length}` });
      res.end(req.method === 'HEAD' ? undefined : bytes.subarray(a, b + 1));
    } else {
      if (req.method !== 'HEAD') fulls++;
      res.writeHead(200, { 'content-length': bytes.length });
      res.end(req.method === 'HEAD' ? undefined : bytes);
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(async () => {
  await new Promise((r) => server.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

for (const build of builds) {
  it(`${build.name}: queries a served database through Range requests`, async () => {
    const api = await build.load();
    const storage = new api.HttpRangeStorage();
    const before = ranges;
    const db = await api.open(`${base}/served.db`, { storage, readonly: true });
    assert.deepEqual(await db.prepare('SELECT count(*) AS n, sum(k) AS s FROM t').get(), { n: 3000, s: 4501500 });
    assert.deepEqual(await db.prepare("SELECT k FROM t WHERE v LIKE 'value 2999 %'").get(), { k: 2999 });
    assert.deepEqual(await db.prepare('PRAGMA integrity_check').get(), { integrity_check: 'ok' });
    // 64 KiB blocks, cached: at most one request per block of the file (+ HEAD)
    const blocks = Math.ceil(fileSize / 65536);
    assert.ok(ranges - before >= 2 && ranges - before <= blocks, `range requests: ${ranges - before} of ${blocks} blocks`);
    assert.equal(storage.requests, ranges - before + 1);
    await assert.rejects(db.exec('INSERT INTO t(v) VALUES (1)'), (e) => e.code === 'SQLITE_READONLY');
    await db.close();
  });

  it(`${build.name}: small unaligned blocks and a 2-block cache give the same answers`, async () => {
    const api = await build.load();
    const storage = new api.HttpRangeStorage({ blockSize: 1000, cacheBlocks: 2 });
    const db = await api.open(`${base}/served.db`, { storage, readonly: true });
    assert.deepEqual(await db.prepare('SELECT count(*) AS n, sum(length(v)) AS l FROM t').get(),
      { n: 3000, l: (await (await api.open('x', { data: fs.readFileSync(path.join(dir, 'served.db')) }))
        .prepare('SELECT sum(length(v)) AS l FROM t').get()).l });
    assert.deepEqual(await db.prepare('PRAGMA integrity_check').get(), { integrity_check: 'ok' });
    assert.ok(storage.cache.size <= 2);
    assert.ok(storage.requests > Math.ceil(fileSize / 65536), 'small blocks take more requests');
    await db.close();
  });

  it(`${build.name}: a server without Range support and a missing file`, async () => {
    const api = await build.load();
    const db = await api.open(`${base}/norange.db`, { storage: new api.HttpRangeStorage(), readonly: true });
    assert.deepEqual(await db.prepare('SELECT count(*) AS n FROM t').get(), { n: 3000 });
    await db.close();
    await assert.rejects(api.open(`${base}/missing.db`, { storage: new api.HttpRangeStorage(), readonly: true }),
      (e) => e.code === 'SQLITE_CANTOPEN');
  });
}
