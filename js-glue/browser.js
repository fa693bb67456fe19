// browser.js — the API over the emscripten build (shale-browser.js/.wasm):
// ES module, single-threaded, no Asyncify/JSPI, no SharedArrayBuffer.  Pass
// { module } (a precompiled WebAssembly.Module) or { wasmBinary } to open()
// the first time; otherwise shale-browser.wasm next to this script is
// loaded.  In Node the same module works (storage 'file' as in edge.js).
import { makeOpen, SqliteError, Database, Statement, codeName } from './core.js';
import { wasmSource, importNodeOnly } from './wasm-source.js';
import createShaleModule from './shale-browser.js';
export { SqliteError, Database, Statement, codeName };
export { MemoryStorage } from './memory-storage.js';
export { PageStorage, mapPageStore } from './page-storage.js';
export { HttpRangeStorage } from './http-storage.js';


export async function loadBrowserEngine(opts = {}) {
  const src = await wasmSource(opts, () => new URL('./shale-browser.wasm', import.meta.url));
  let instance = null;
  let waitHook = () => 0;
  const Module = await createShaleModule({
    // Instantiate ourselves: works with a precompiled Module, raw bytes, and
    // avoids the generated loader's fetch path.
    instantiateWasm(imports, done) {
      const p = src instanceof WebAssembly.Module
        ? WebAssembly.instantiate(src, imports).then((inst) => ({ instance: inst, module: src }))
        : WebAssembly.instantiate(src, imports);
      p.then((r) => { instance = r.instance; done(r.instance, r.module); });
      return {};
    },
    shaleHostIoWait: () => waitHook(),
    printErr: (s) => console.error(s),
  });
  const fn = {};
  for (const k of Object.keys(Module)) {
    if (k.startsWith('_shale_w_')) fn[k.slice(1)] = Module[k];
  }
  let memory = null;
  for (const v of Object.values(instance.exports)) {
    if (v instanceof WebAssembly.Memory) memory = v;
  }
  return { fn, memory: () => memory, setWaitHook(f) { waitHook = f; } };
}

async function fileStorage(opts) {
  const { NodeFileStorage } = await importNodeOnly('./node-storage.js');
  return new NodeFileStorage(opts);
}

// 'opfs' and 'idb' (wasm/opfs_vfs/): loaded on first use.  Without OPFS
// (older browsers, insecure contexts) 'opfs' falls back to IndexedDB.
async function idbStorage(opts) {
  const { createIdbStorage } = await import('./idb-storage.js');
  return createIdbStorage(opts);
}
async function opfsStorage(opts) {
  const m = await import('./opfs-storage.js');
  if (!m.opfsAvailable() && opts.opfsFallback !== false) return idbStorage(opts);
  if (!m.opfsAvailable()) throw new Error('OPFS is not available here');
  return m.createOpfsStorage(opts);
}

export const open = makeOpen(loadBrowserEngine, { file: fileStorage, opfs: opfsStorage, idb: idbStorage });
export default open;
