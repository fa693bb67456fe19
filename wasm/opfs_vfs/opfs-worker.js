// opfs-worker.js — the library-owned dedicated Worker of the OPFS storage:
// it holds the sync access handles (OpfsServer) and answers the client's
// messages { id, op, args } with { id, result } or { id, error }.  Bytes
// travel as transferred ArrayBuffers both ways; nothing is shared.
import { OpfsServer } from './opfs-server.js';

let server = null;
let chain = Promise.resolve(); // one operation at a time, in arrival order
self.onmessage = (ev) => { chain = chain.then(() => serve(ev.data)); };
async function serve({ id, op, args, mode }) {
  try {
    if (!server) server = new OpfsServer({ mode });
    const result = await server[op](...args);
    const transfer = [];
    if (result instanceof Uint8Array) transfer.push(result.buffer);
    else if (result && result.head instanceof Uint8Array) transfer.push(result.head.buffer);
    self.postMessage({ id, result }, transfer);
  } catch (err) {
    self.postMessage({ id, error: { name: err?.name || 'Error', message: String(err?.message || err) } });
  }
}
self.postMessage({ ready: true });
