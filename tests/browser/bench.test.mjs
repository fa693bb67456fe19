// examples/bench: the `make bench` workload page runs in headless Chromium
// (served as plain files from the repository root, build/wasm as the
// package) with a small row count, on the page and in a dedicated Worker; its JSON has every step of bench.c per
// storage, and its checksums equal the same workload run by SQLite
// (fixtures/bench_oracle.py).  OPFS/IndexedDB may be 'unavailable' in a
// build without them, never 'error'.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { launchChromium, newPage, serveStatic, repoRoot, here } from './lib/harness.mjs';

const N = 300;
const STEPS = ['bulk insert', 'rowid lookups', 'create index', 'index lookups', 'index range scans',
  'group by', 'like scan', 'join', 'order by unindexed', 'update by key', 'delete by predicate'];
let browser, server;
before(async () => {
  server = await serveStatic(repoRoot);
  browser = await launchChromium();
});
after(async () => { await browser?.close(); await server?.close(); });

let oracle;
for (const context of ['window', 'worker']) {
  test(`bench page (${context}) prints per-step milliseconds as JSON, checksums as SQLite computes them`, async () => {
    oracle ??= JSON.parse(execFileSync('python3', [path.join(here, '..', 'fixtures', 'bench_oracle.py'), String(N)],
      { encoding: 'utf8' }));
    assert.deepEqual(Object.keys(oracle), STEPS);
    const log = [];
    const page = await newPage(browser, log);
    await page.goto(`${server.url}/examples/bench/?n=${N}&storages=memory,opfs,idb${context === 'worker' ? '&worker=1' : ''}`);
    const r = await page.waitForFunction(() => window.benchResult, null, { timeout: 120000 }).then((h) => h.jsonValue());
    assert.equal(r.error, undefined, r.error);
    assert.equal(r.engine, 'shale-sql');
    assert.equal(r.context, context);
    assert.match(r.version, /^3\.40\./);
    assert.equal(r.rows, N);
    assert.deepEqual(r.results.map((x) => x.storage), ['memory', 'opfs', 'idb']);
    const shown = JSON.parse(await page.textContent('#result'));
    assert.deepEqual(shown, r, 'the page prints the same JSON');
    for (const res of r.results) {
      assert.notEqual(res.status, 'error', `${res.storage}: ${res.error}`);
      if (res.status === 'unavailable') {
        assert.notEqual(res.storage, 'memory');
        assert.equal(typeof res.reason, 'string');
        continue;
      }
      assert.equal(res.status, 'ok');
      assert.deepEqual(Object.keys(res.steps), STEPS);
      for (const s of STEPS) assert.ok(typeof res.steps[s] === 'number' && res.steps[s] >= 0, `${res.storage} ${s}`);
      assert.deepEqual(res.checks, oracle, `${res.storage} checksums`);
      assert.ok(Math.abs(res.total_ms - STEPS.reduce((t, s) => t + res.steps[s], 0)) < 0.1);
    }
    assert.equal(r.results[0].status, 'ok', 'memory always runs');
    assert.deepEqual(log, []);
    await page.close();
  });
}
