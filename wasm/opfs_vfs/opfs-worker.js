// opfs-worker.js — the library-owned dedicated Worker of the OPFS storage:
// it holds the sync access handles (OpfsServer) and answers the client's
// messages { id, op, args } with { id, result } or { id, error }.  Bytes
// travel as transferred ArrayBuffers both ways; nothing is shared.
import { OpfsServer, workerLoop } from './opfs-server.js';

workerLoop(OpfsServer);
