// workerd.js — the package's `workerd` entry (Cloudflare Workers, workerd):
// edge.js with the wasm imported as a module, the way Workers load wasm
// (wrangler and workerd's `wasm` modules give a compiled WebAssembly.Module
// for `import m from './x.wasm'`), so open() needs no options.  A module
// passed as { module } to the first open() still wins.
import shaleEdgeWasm from './shale-edge.wasm';
import { makeOpen } from './core.js';
import { loadEdgeEngine } from './edge.js';
export { SqliteError, Database, Statement, codeName, MemoryStorage, PageStorage, mapPageStore,
  HttpRangeStorage, loadEdgeEngine } from './edge.js';

export const open = makeOpen((opts) => loadEdgeEngine({ ...opts, module: opts.module ?? shaleEdgeWasm }));
export default open;
