// wasm-source.js — how the loaders (edge.js, browser.js) get their .wasm:
// { module } or { wasmBinary } as given, else the bytes at { wasmURL } or
// the loader's default URL (next to the loader), read with node:fs for
// file: URLs in Node and fetched elsewhere.  Something other than wasm at
// that URL (an HTML fallback page, typically a dev server that moved the
// loader) is reported with the fix, not as a cryptic compile error.

// Node-only modules are imported through a variable: bundlers (Vite,
// esbuild, wrangler) then leave them out of browser and worker bundles
// instead of failing on node:fs.  Only reached in Node.  Relative
// specifiers resolve against this file (the loaders sit beside it).
export const importNodeOnly = (spec) => import(/* @vite-ignore */ spec);

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

// defaultURL: a function returning the URL (evaluated only when needed:
// import.meta.url may be unusable where { module } is passed).
export async function wasmSource(opts, defaultURL) {
  if (opts.module) return opts.module;
  if (opts.wasmBinary) return opts.wasmBinary;
  const url = opts.wasmURL ?? defaultURL();
  if (String(url).startsWith('file:') && globalThis.process?.versions?.node) {
    const { readFile } = await importNodeOnly('node:fs/promises');
    return await readFile(new URL(url));
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`shale-sql: cannot load ${url}: HTTP ${res.status}. ${HINT}`);
  const bytes = await res.arrayBuffer();
  const head = new Uint8Array(bytes, 0, Math.min(4, bytes.byteLength));
  if (!WASM_MAGIC.every((b, i) => head[i] === b)) {
    throw new Error(`shale-sql: ${url} is not a WebAssembly file ` +
      `(content-type ${res.headers.get('content-type')}). ${HINT}`);
  }
  return bytes;
}

const HINT = 'The .wasm was not served next to the loader. With `vite dev`, add ' +
  "optimizeDeps: { exclude: ['shale-sql'] } to vite.config.js; with esbuild, copy the .wasm " +
  'next to the bundle or use --loader:.wasm=file (see the package README); or pass ' +
  '{ module }, { wasmBinary } or { wasmURL } to the first open().';
