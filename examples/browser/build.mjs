// build.mjs — bundles the playground into static files (run by
// `make playground`; `node build.mjs [outDir]` by hand).
//   outDir (default ../../build/playground):
//     index.html, style.css, main.js (page + CodeMirror), worker.js (engine
//     glue + emscripten loader), shale-browser.wasm
// The package comes from SHALE_PKG_DIR (default ../../build/wasm, what
// `make wasm` leaves there: browser.js, core.js, shale-browser.js/.wasm);
// `shale-sql/browser` in the sources resolves to its browser.js.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(process.argv[2] || path.join(here, '../../build/playground'));
const pkgDir = path.resolve(process.env.SHALE_PKG_DIR || path.join(here, '../../build/wasm'));

for (const f of ['browser.js', 'core.js', 'shale-browser.js', 'shale-browser.wasm']) {
  if (!fs.existsSync(path.join(pkgDir, f))) {
    console.error(`build.mjs: ${path.join(pkgDir, f)} is missing: run make wasm first`);
    process.exit(1);
  }
}

const shalePackage = {
  name: 'shale-sql',
  setup(b) {
    b.onResolve({ filter: /^shale-sql(\/browser)?$/ }, () => ({ path: path.join(pkgDir, 'browser.js') }));
    // browser.js imports node-storage.js (storage 'file', Node only) on
    // demand; bundled as is, its static node:fs imports would break the
    // worker, so it is replaced by a stub here.
    b.onResolve({ filter: /\/node-storage\.js$/ }, () => ({ path: 'node-storage', namespace: 'shale-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'shale-stub' }, () => ({
      contents: "export class NodeFileStorage { constructor() { throw new Error(\"storage 'file' needs Node\"); } }",
    }));
  },
};

fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });

const common = {
  bundle: true,
  format: 'esm',
  target: ['chrome110', 'firefox115', 'safari16.4'],
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  // the package's Node-only paths (storage 'file') are dynamic imports never
  // taken in a browser
  external: ['node:*'],
  plugins: [shalePackage],
};
await esbuild.build({ ...common, entryPoints: [path.join(here, 'src/main.js')], outfile: path.join(outDir, 'main.js') });
await esbuild.build({ ...common, entryPoints: [path.join(here, 'src/worker.js')], outfile: path.join(outDir, 'worker.js') });

fs.copyFileSync(path.join(here, 'index.html'), path.join(outDir, 'index.html'));
fs.copyFileSync(path.join(here, 'src/style.css'), path.join(outDir, 'style.css'));
fs.copyFileSync(path.join(pkgDir, 'shale-browser.wasm'), path.join(outDir, 'shale-browser.wasm'));

const sizes = fs.readdirSync(outDir).filter((f) => !f.endsWith('.map'))
  .map((f) => `${f} ${(fs.statSync(path.join(outDir, f)).size / 1024).toFixed(1)} KiB`);
console.log(`playground: ${outDir}\n  ${sizes.join('\n  ')}`);
