// tab-lock.js — the cross-tab writer lock of one database (see README.md,
// "Multi-tab").  A Web Locks exclusive lock named `shale:<storage>:<path>`
// serialises every transaction of every tab/Worker on that database; it is
// kept as a *lease* after a transaction ends, so a tab working alone pays
// nothing per transaction.  A context that wants the lock says so on the
// BroadcastChannel of the same name (and repeats it while it waits: a
// message may cross the grant); the holder lets go at its next safe point
// (no transaction open, every write confirmed by the storage).
//
// acquire() resolves to `changed`: true unless this lock object has held
// the lock without interruption since it last looked at the files — then
// the caller re-reads the file sizes and the header mirror, and the engine's
// change-counter check drops stale cached pages.  A "committed" notice on
// the channel lets idle tabs know early (onChange), but correctness never
// depends on a message arriving: any lock hand-over counts as a change.
const WANT_REPEAT_MS = 40;

export class TabLock {
  constructor(name) {
    this.name = name;
    this.held = false;
    this.wanted = false;   // another context asked for the lock
    this.onWanted = null;  // called when `wanted` turns true while held
    this.onChange = null;  // another context committed (advisory)
    this._release = null;
    this._pending = false;
    this._closed = false;
    this.locks = globalThis.navigator?.locks ?? null;
    this.channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(name) : null;
    if (this.channel) {
      this.channel.onmessage = (ev) => {
        const m = ev.data;
        if (m === 'want') {
          if (this.held || this._pending) {
            const was = this.wanted;
            this.wanted = true;
            if (!was && this.held && this.onWanted) this.onWanted();
          }
        } else if (m === 'changed' && this.onChange) {
          this.onChange();
        }
      };
    }
  }
  // Resolves (to `changed`) once the lock is held; rejects with an Error
  // named 'TimeoutError' after timeoutMs (0 or Infinity: wait forever).
  async acquire(timeoutMs = 30000) {
    if (this._closed) throw new Error('lock closed');
    if (this.held) return false;
    if (!this.locks) { // no Web Locks (insecure context): single-context use only
      this.held = true;
      return true;
    }
    this._pending = true;
    const say = () => { try { this.channel?.postMessage('want'); } catch { /* closed */ } };
    say();
    const timer = setInterval(say, WANT_REPEAT_MS);
    const opts = { mode: 'exclusive' };
    let abortTimer = null;
    if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
      const ac = new AbortController();
      abortTimer = setTimeout(() => ac.abort(), timeoutMs);
      opts.signal = ac.signal;
    }
    try {
      await new Promise((resolve, reject) => {
        this.locks.request(this.name, opts, () => {
          this.held = true;
          resolve();
          return new Promise((res) => { this._release = res; });
        }).catch((err) => {
          if (this.held) return;
          if (err?.name !== 'AbortError') { reject(err); return; }
          const e = new Error(`timed out waiting for the database lock ${this.name}`);
          e.name = 'TimeoutError';
          e.cause = err;
          reject(e);
        });
      });
    } finally {
      clearInterval(timer);
      if (abortTimer) clearTimeout(abortTimer);
      this._pending = false;
    }
    return true;
  }
  // Give the lock up (the caller made sure no transaction is open and the
  // storage confirmed every write).  `committed`: tell the other contexts.
  release(committed = false) {
    if (!this.held) return;
    if (committed) { try { this.channel?.postMessage('changed'); } catch { /* closed */ } }
    this.held = false;
    this.wanted = false;
    const r = this._release;
    this._release = null;
    if (r) r();
  }
  close() {
    this.release();
    this._closed = true;
    this.channel?.close();
    this.channel = null;
  }
}
