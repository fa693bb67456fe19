// edge.js — the API over the wasi build (shale-edge.wasm): no emscripten
// runtime, just the few WASI imports the engine's libc needs.  Works in
// Node, Deno, Bun and workerd.  Pass { module } (a precompiled
// WebAssembly.Module, as bundlers and Cloudflare provide) or { wasmBinary }
// to open() the first time; otherwise the file next to this script is
// loaded.
import { makeOpen, SqliteError, Database, Statement, codeName } from './core.js';
import { wasmSource, importNodeOnly } from './wasm-source.js';
export { SqliteError, Database, Statement, codeName };
export { MemoryStorage } from './memory-storage.js';
export { PageStorage, mapPageStore } from './page-storage.js';
export { HttpRangeStorage } from './http-storage.js';

const ERRNO_SUCCESS = 0, ERRNO_BADF = 8, ERRNO_NOSYS = 52;

function wasiImports(getMemory) {
  const view = () => new DataView(getMemory().buffer);
  const u8 = () => new Uint8Array(getMemory().buffer);
  let stderrLine = '';
  const dec = new TextDecoder();
  return {
    fd_write(fd, iovs, iovsLen, nwritten) {
      const dv = view();
      let total = 0;
      for (let i = 0; i < iovsLen; i++) {
        const p = dv.getUint32(iovs + i * 8, true);
        const n = dv.getUint32(iovs + i * 8 + 4, true);
        if (fd === 1 || fd === 2) stderrLine += dec.decode(u8().subarray(p, p + n));
        total += n;
      }
      let nl;
      while ((nl = stderrLine.indexOf('\n')) >= 0) {
        console.error(stderrLine.slice(0, nl));
        stderrLine = stderrLine.slice(nl + 1);
      }
      dv.setUint32(nwritten, total, true);
      return fd === 1 || fd === 2 ? ERRNO_SUCCESS : ERRNO_BADF;
    },
    clock_time_get(id, precision, out) {
      const ns = id === 0
        ? BigInt(Date.now()) * 1000000n
        : BigInt(Math.round((globalThis.performance?.now?.() ?? Date.now()) * 1e6));
      view().setBigUint64(out, ns, true);
      return ERRNO_SUCCESS;
    },
    random_get(buf, len) {
      const out = u8().subarray(buf, buf + len);
      for (let i = 0; i < len; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(len, i + 65536)));
      return ERRNO_SUCCESS;
    },
    proc_exit(code) { throw new Error(`wasm called proc_exit(${code})`); },
    environ_sizes_get(count, size) {
      const dv = view();
      dv.setUint32(count, 0, true);
      dv.setUint32(size, 0, true);
      return ERRNO_SUCCESS;
    },
    environ_get() { return ERRNO_SUCCESS; },
    fd_close() { return ERRNO_BADF; },
    fd_fdstat_get() { return ERRNO_BADF; },
    fd_prestat_get() { return ERRNO_BADF; },
    fd_prestat_dir_name() { return ERRNO_BADF; },
    fd_read() { return ERRNO_BADF; },
    fd_seek() { return ERRNO_BADF; },
    path_open() { return ERRNO_NOSYS; },
  };
}


export async function loadEdgeEngine(opts = {}) {
  let memory = null;
  let waitHook = () => 0;
  const imports = {
    wasi_snapshot_preview1: wasiImports(() => memory),
    shale: { host_io_wait: () => waitHook() },
  };
  const src = await wasmSource(opts, () => new URL('./shale-edge.wasm', import.meta.url));
  let instance;
  if (src instanceof WebAssembly.Module) instance = await WebAssembly.instantiate(src, imports);
  else instance = (await WebAssembly.instantiate(src, imports)).instance;
  memory = instance.exports.memory;
  instance.exports._initialize();
  return {
    fn: instance.exports,
    memory: () => memory,
    setWaitHook(f) { waitHook = f; },
  };
}

async function fileStorage(opts) {
  const { NodeFileStorage } = await importNodeOnly('./node-storage.js');
  return new NodeFileStorage(opts);
}

export const open = makeOpen(loadEdgeEngine, { file: fileStorage });
export default open;
