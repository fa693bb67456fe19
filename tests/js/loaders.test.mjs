// loaders.test.mjs — how each build finds its wasm: { module } (a compiled
// WebAssembly.Module, as bundlers and Workers give), { wasmBinary },
// { wasmURL } over HTTP, and the clear error when that URL serves something
// else (a dev server's HTML fallback) or fails.  Each case imports a fresh
// instance of the loader (a query string), since the engine loads once.
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { wasmDir } from './helpers.mjs';

const loaders = [
  { name: 'edge', file: 'edge.js', wasm: 'shale-edge.wasm' },
  { name: 'browser', file: 'browser.js', wasm: 'shale-browser.wasm' },
];
let n = 0;
const fresh = (l) => import(`${pathToFileURL(path.join(wasmDir, l.file)).href}?fresh=${++n}`);
const answer = async (open, opts) => {
  const db = await open(':memory:', opts);
  const row = await db.prepare('SELECT 6 * 7 AS x').get();
  await db.close();
  return row.x;
};

let server, base;
before(async () => {
  server = http.createServer((req, res) => {
    const f = path.join(wasmDir, path.basename(req.url));
    if (req.url.startsWith('/wasm/') && fs.existsSync(f)) {
      res.writeHead(200, { 'content-type': 'application/wasm' });
      res.end(fs.readFileSync(f));
    } else if (req.url.startsWith('/html/')) {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>index</title>');
    } else {
      res.writeHead(404); res.end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => new Promise((r) => server.close(r)));

for (const l of loaders) {
  const bytes = () => fs.readFileSync(path.join(wasmDir, l.wasm));
  it(`${l.name}: { module } (a compiled WebAssembly.Module)`, async () => {
    const { open } = await fresh(l);
    assert.equal(await answer(open, { module: new WebAssembly.Module(bytes()) }), 42);
  });
  it(`${l.name}: { wasmBinary } (bytes)`, async () => {
    const { open } = await fresh(l);
    assert.equal(await answer(open, { wasmBinary: bytes() }), 42);
  });
  it(`${l.name}: { wasmURL } fetched over HTTP`, async () => {
    const { open } = await fresh(l);
    assert.equal(await answer(open, { wasmURL: `${base}/wasm/${l.wasm}` }), 42);
  });
  it(`${l.name}: a URL serving HTML or 404 fails with the fix in the message`, async () => {
    const a = await fresh(l);
    await assert.rejects(a.open(':memory:', { wasmURL: `${base}/html/${l.wasm}` }),
      /is not a WebAssembly file \(content-type text\/html\).*optimizeDeps/);
    const b = await fresh(l);
    await assert.rejects(b.open(':memory:', { wasmURL: `${base}/missing/${l.wasm}` }), /HTTP 404/);
    // the failed load is not remembered: the next open() may load another way
    assert.equal(await answer(b.open, { wasmBinary: bytes() }), 42);
  });
}
