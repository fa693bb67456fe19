// node-storage.js — storage 'file' for Node: the host VFS's requests served
// with asynchronous node:fs calls on file descriptors (one per file, opened
// on first use).  The *Sync methods are the fallback the engine uses when it
// must wait (opening, closing, rollback cleanup): the same operations with
// fs's synchronous calls.
//
// The storage interface (any object with these methods can be passed as
// open(name, { storage: obj })):
//   resolve(name) -> path           size(path) -> bytes, or -1 if missing
//   read(path, off, n) -> Uint8Array (shorter at end of file)
//   write(path, off, bytes)   truncate(path, size)   sync(path)
//   close(path)   remove(path)   writeAll(path, bytes)   readAll(path)
//   optional: readSync/writeSync/truncateSync/syncSync/closeSync/removeSync,
//   closeAll(prefix), beforeOp(req), completionDelay(req) -> ms
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const fsOpen = promisify(fs.open);
const fsRead = promisify(fs.read);
const fsWrite = promisify(fs.write);
const fsFtruncate = promisify(fs.ftruncate);
const fsFsync = promisify(fs.fdatasync);
const fsClose = promisify(fs.close);

export class NodeFileStorage {
  constructor(opts = {}) {
    this.fds = new Map();      // path -> fd
    this.opening = new Map();  // path -> promise of fd
    this.noSync = !!opts.noSync;
  }
  resolve(name) { return path.resolve(name); }
  async size(p) {
    try { return (await fsp.stat(p)).size; } catch { return -1; }
  }
  async _fd(p) {
    let fd = this.fds.get(p);
    if (fd !== undefined) return fd;
    let pr = this.opening.get(p);
    if (!pr) {
      pr = fsOpen(p, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
      this.opening.set(p, pr);
    }
    fd = await pr;
    this.opening.delete(p);
    if (!this.fds.has(p)) this.fds.set(p, fd);
    return this.fds.get(p);
  }
  _fdSync(p) {
    let fd = this.fds.get(p);
    if (fd === undefined) {
      fd = fs.openSync(p, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
      this.fds.set(p, fd);
    }
    return fd;
  }
  async read(p, off, n) {
    const fd = await this._fd(p);
    const buf = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const { bytesRead } = await fsRead(fd, buf, got, n - got, off + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got === n ? buf : buf.subarray(0, got);
  }
  async write(p, off, bytes) {
    const fd = await this._fd(p);
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await fsWrite(fd, bytes, done, bytes.length - done, off + done);
      done += bytesWritten;
    }
  }
  async truncate(p, size) { await fsFtruncate(await this._fd(p), size); }
  async sync(p) { if (!this.noSync) await fsFsync(await this._fd(p)); }
  async close(p) {
    const fd = this.fds.get(p);
    if (fd === undefined) return;
    this.fds.delete(p);
    await fsClose(fd);
  }
  async remove(p) {
    await this.close(p);
    await fsp.rm(p, { force: true });
  }
  async writeAll(p, bytes) { await fsp.writeFile(p, bytes); }
  async readAll(p) { return new Uint8Array(await fsp.readFile(p)); }
  async closeAll(prefix) {
    for (const p of [...this.fds.keys()]) if (p.startsWith(prefix)) await this.close(p);
  }
  readSync(p, off, n) {
    const fd = this._fdSync(p);
    const buf = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const r = fs.readSync(fd, buf, got, n - got, off + got);
      if (r === 0) break;
      got += r;
    }
    return got === n ? buf : buf.subarray(0, got);
  }
  writeSync(p, off, bytes) {
    const fd = this._fdSync(p);
    let done = 0;
    while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done, off + done);
  }
  truncateSync(p, size) { fs.ftruncateSync(this._fdSync(p), size); }
  syncSync(p) { if (!this.noSync) fs.fdatasyncSync(this._fdSync(p)); }
  closeSync(p) {
    const fd = this.fds.get(p);
    if (fd === undefined) return;
    this.fds.delete(p);
    fs.closeSync(fd);
  }
  removeSync(p) {
    this.closeSync(p);
    fs.rmSync(p, { force: true });
  }
}
