// builds.test.mjs — properties of the two wasm builds the issue requires.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { wasmDir, repo } from './helpers.mjs';

const mod = (f) => new WebAssembly.Module(fs.readFileSync(path.join(wasmDir, f)));

it('edge build: wasi reactor, imports only WASI and the host I/O hook', () => {
  const m = mod('shale-edge.wasm');
  const modules = new Set(WebAssembly.Module.imports(m).map((i) => i.module));
  assert.deepEqual([...modules].sort(), ['shale', 'wasi_snapshot_preview1']);
  const exports = WebAssembly.Module.exports(m).map((e) => e.name);
  assert.ok(exports.includes('_initialize'), 'reactor entry point');
  assert.ok(!exports.includes('_start'), 'not a command module');
  for (const name of ['shale_w_open', 'shale_w_prepare', 'shale_w_step', 'shale_w_next_request', 'shale_w_complete']) {
    assert.ok(exports.includes(name), name);
  }
});

it('browser build: no Asyncify, no shared memory, gzip size within 250 KiB', () => {
  const bytes = fs.readFileSync(path.join(wasmDir, 'shale-browser.wasm'));
  const m = new WebAssembly.Module(bytes);
  const imports = WebAssembly.Module.imports(m);
  const exports = WebAssembly.Module.exports(m);
  assert.ok(!exports.some((e) => /asyncify/i.test(e.name)), 'no asyncify exports');
  assert.ok(!imports.some((i) => i.kind === 'memory'), 'memory is not imported (not shared)');
  const js = fs.readFileSync(path.join(wasmDir, 'shale-browser.js'), 'utf8');
  assert.ok(!/SharedArrayBuffer|Asyncify|JSPI|WebAssembly\.Suspending/.test(js), 'loader uses no SAB/Asyncify/JSPI');
  const gz = zlib.gzipSync(bytes, { level: 9 }).length;
  assert.ok(gz <= 250 * 1024, `gzip size ${gz}`);
});

it('codes.js names every result code of engine/include/sqlite3.h', async () => {
  const { CODE_NAMES } = await import(path.join(wasmDir, 'codes.js'));
  const h = fs.readFileSync(path.join(repo, 'engine/include/sqlite3.h'), 'utf8');
  const section = h.slice(h.indexOf('/* Primary result codes */'), h.indexOf('/* Flags for sqlite3_open_v2'));
  const value = {};
  for (const [, name, expr] of section.matchAll(/#define (SQLITE_\w+) (.+)/g)) {
    const m = /^\((SQLITE_\w+) \| \((\d+) << 8\)\)$/.exec(expr.trim());
    value[name] = m ? value[m[1]] | (Number(m[2]) << 8) : Number(expr);
  }
  assert.ok(Object.keys(value).length > 100);
  for (const [name, v] of Object.entries(value)) {
    assert.ok(Number.isInteger(v), name);
    assert.equal(CODE_NAMES[v], name, `${name} = ${v}`);
  }
});
