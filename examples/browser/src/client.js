// client.js — the page's side of the engine worker (worker.js).
//
// request(type, fields, onEvent) sends { id, type, ...fields } and resolves
// with the worker's reply; messages of that request before the reply (a
// run's per-statement results) go to onEvent.
//
// interrupt(): a worker busy inside WebAssembly cannot read messages, and
// without SharedArrayBuffer (no COOP/COEP headers on a plain static server)
// nothing else can reach it.  So Stop terminates the worker, which ends the
// running statement at once, and starts a new one on the same database:
// persistent storages are reopened (the engine rolls back whatever was not
// committed, as after a crash); a memory database is reopened from the last
// snapshot the old worker posted.  The compiled WebAssembly.Module is kept
// here and handed to each new worker, so a restart takes milliseconds.
export class Interrupted extends Error {
  constructor() { super('interrupted'); this.name = 'Interrupted'; this.interrupted = true; }
}

export class EngineClient {
  constructor({ workerURL, wasmURL, onSnapshot } = {}) {
    this.workerURL = workerURL;
    this.wasmURL = wasmURL;
    this.onSnapshot = onSnapshot || (() => {});
    this.nextId = 1;
    this.pending = new Map();   // id -> { resolve, reject, onEvent }
    this.image = null;          // last snapshot of a memory database
    this.storage = 'memory';
    this.info = null;           // the init reply: { available, storage, version }
    this.restarts = 0;
  }

  async _module() {
    if (!this.modulePromise) {
      this.modulePromise = fetch(this.wasmURL).then((r) => {
        if (!r.ok) throw new Error(`cannot load ${this.wasmURL}: HTTP ${r.status}`);
        return r.arrayBuffer();
      }).then((b) => WebAssembly.compile(b));
    }
    return this.modulePromise;
  }

  _spawn() {
    const w = new Worker(this.workerURL, { type: 'module' });
    w.onmessage = (ev) => this._onMessage(ev.data);
    w.onerror = (ev) => {
      const err = new Error(`engine worker failed: ${ev.message || 'error'}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker = w;
  }

  _onMessage(msg) {
    if (msg.type === 'snapshot') {
      this.image = msg.bytes;
      this.onSnapshot(msg.bytes);
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.type === 'reply') {
      this.pending.delete(msg.id);
      if (msg.error) {
        const err = new Error(msg.error.message);
        Object.assign(err, msg.error);
        p.reject(err);
      } else {
        p.resolve(msg.value);
      }
    } else if (p.onEvent) {
      p.onEvent(msg);
    }
  }

  // Starts (or restarts) the worker and opens the database on `storage`.
  // The worker exists at once; requests made meanwhile are posted after
  // 'init' (the worker handles messages one at a time, in order).
  async start(storage = this.storage) {
    this._spawn();
    const image = storage === 'memory' ? this.image : null;
    const available = this.info?.available; // a restart need not probe again
    const worker = this.worker;
    const id = this.nextId++;
    const reply = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.starting = this._module().then((module) => {
      worker.postMessage({ id, type: 'init', module, storage, image, available });
    });
    this.starting.catch((err) => { this.pending.get(id)?.reject(err); this.pending.delete(id); });
    this.info = await reply;
    this.storage = this.info.storage;
    return this.info;
  }

  request(type, fields = {}, onEvent = null, transfer = []) {
    const id = this.nextId++;
    const worker = this.worker;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onEvent });
      this.starting.then(() => worker.postMessage({ id, type, ...fields }, transfer), reject);
    });
  }

  get busy() { return this.pending.size > 0; }

  // Ends whatever the worker is doing (see above) and reopens the database.
  async interrupt() {
    this.worker.terminate();
    const old = [...this.pending.values()];
    this.pending.clear();
    this.restarts++;
    const started = this.start(this.storage); // the new worker, before anyone reacts
    const err = new Interrupted();
    for (const p of old) p.reject(err);
    return started;
  }

  async switchStorage(storage) {
    const r = await this.request('switch', { storage, image: storage === 'memory' ? this.image : null });
    this.storage = r.storage;
    return r;
  }
}
