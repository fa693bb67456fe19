// The browser build loads in headless Chromium from a plain static server
// (no special headers) and answers a query with the JS API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launchChromium, newPage, serveStatic, buildDir } from './lib/harness.mjs';

let browser, server;
before(async () => {
  const root = path.join(buildDir, 'browser-smoke');
  fs.rmSync(root, { recursive: true, force: true });
  fs.mkdirSync(root, { recursive: true });
  for (const f of fs.readdirSync(path.join(buildDir, 'wasm'))) {
    if (/\.(js|wasm)$/.test(f)) fs.copyFileSync(path.join(buildDir, 'wasm', f), path.join(root, f));
  }
  fs.writeFileSync(path.join(root, 'index.html'), `<!doctype html><meta charset="utf-8"><title>smoke</title><link rel="icon" href="data:,">
<script type="module">
import { open } from './browser.js';
try {
  const db = await open('smoke', { storage: 'memory' });
  await db.exec('CREATE TABLE t(a INTEGER, b TEXT); INSERT INTO t VALUES (1, \\'one\\'), (2, \\'two\\');');
  const rows = await db.prepare('SELECT a, b, typeof(a) AS ta FROM t ORDER BY a').all();
  window.result = { rows, crossOriginIsolated: self.crossOriginIsolated };
  await db.close();
} catch (e) { window.result = { error: String(e && e.stack || e) }; }
</script>`);
  server = await serveStatic(root);
  browser = await launchChromium();
});
after(async () => { await browser?.close(); await server?.close(); });

test('browser build runs a query in Chromium without special headers', async () => {
  const log = [];
  const page = await newPage(browser, log);
  await page.goto(server.url + '/');
  const result = await page.waitForFunction(() => window.result, null, { timeout: 20000 }).then((h) => h.jsonValue());
  assert.equal(result.error, undefined, result.error);
  assert.equal(result.crossOriginIsolated, false);
  assert.deepEqual(result.rows, [{ a: 1, b: 'one', ta: 'integer' }, { a: 2, b: 'two', ta: 'integer' }]);
  assert.deepEqual(log, []);
});
