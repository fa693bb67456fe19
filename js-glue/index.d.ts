// index.d.ts — types for the Shale JS API (edge.js and browser.js export the
// same surface; core.js holds the implementation).

export type SqlValue = number | bigint | string | Uint8Array | null;
export type BindValue = SqlValue | boolean | undefined | ArrayBuffer | ArrayBufferView;
export type BindParams = BindValue[] | [Record<string, BindValue>] | BindValue[][];
export type Row = Record<string, SqlValue>;

/** A request the host VFS hands to a storage (read/write/... of one file). */
export interface StorageRequest {
  id: number;
  kind: number; // 1 read, 2 write, 3 truncate, 4 sync, 5 close, 6 remove
  name: string;
  off: number;
  n: number;
}

/**
 * An async store of files (a database is the files `path`, `path-journal`,
 * `path-wal`).  Operations on one database are issued one at a time in
 * order.  The *Sync methods are optional: they are used when the engine
 * must wait inside a call (opening, closing, rollback cleanup); without
 * them such a wait fails with SQLITE_IOERR instead of blocking.
 */
export interface Storage {
  resolve?(name: string): string;
  size(path: string): Promise<number>; // -1 when the file does not exist
  read(path: string, off: number, n: number): Promise<Uint8Array>; // shorter at EOF
  write(path: string, off: number, data: Uint8Array): Promise<void>;
  truncate(path: string, size: number): Promise<void>;
  sync(path: string): Promise<void>;
  close(path: string): Promise<void>;
  remove(path: string): Promise<void>;
  writeAll(path: string, data: Uint8Array): Promise<void>;
  readAll(path: string): Promise<Uint8Array>;
  closeAll?(prefix: string): Promise<void>;
  readSync?(path: string, off: number, n: number): Uint8Array;
  writeSync?(path: string, off: number, data: Uint8Array): void;
  truncateSync?(path: string, size: number): void;
  syncSync?(path: string): void;
  closeSync?(path: string): void;
  removeSync?(path: string): void;
  /** 'opfs', 'idb', …: what Database.storage reports. */
  kind?: string;
  /**
   * Storages shared with other tabs/Workers (opfs, idb): the cross-context
   * writer lock of one database.  Held around every transaction; see
   * js-glue/README.md "Storage interface" and wasm/opfs_vfs/README.md.
   */
  lock?(path: string): StorageLock;
  /** Sizes of path+suffix (-1: missing) and the first `head` bytes of path, in one round trip. */
  snapshot?(path: string, suffixes: string[], head: number): Promise<{ sizes: number[]; head: Uint8Array }>;
  /** Before the lock goes to another context: write buffered data, free exclusive handles. */
  beforeRelease?(path: string): Promise<void>;
  /** Test hooks: delay before performing, and before posting a completion. */
  beforeOp?(req: StorageRequest): Promise<void>;
  completionDelay?(req: StorageRequest): number;
}

/** A cross-context lock (wasm/opfs_vfs/tab-lock.js implements it with Web Locks). */
export interface StorageLock {
  readonly held: boolean;
  /** Another context asked for the lock. */
  readonly wanted: boolean;
  /** Set by the Database: called when `wanted` turns true while held. */
  onWanted: (() => void) | null;
  /** Resolves to true unless the lock was held without interruption since the last look at the files. */
  acquire(timeoutMs: number): Promise<boolean>;
  release(committed?: boolean): void;
  close(): void;
}

export interface OpenOptions {
  /**
   * 'memory' (default); 'file' (Node: node:fs, async); in browsers 'opfs'
   * (Origin Private File System through a library-owned Worker; falls back
   * to 'idb' where OPFS is missing) or 'idb' (IndexedDB); or a Storage object.
   * 'opfs' and 'idb' databases are shared safely by the tabs and Workers of
   * an origin (rollback journal; journal_mode=WAL is refused).
   */
  storage?: 'memory' | 'file' | 'opfs' | 'idb' | Storage;
  /** Storages shared by tabs: how long to wait for another tab's transaction (ms, default 30000), then SQLITE_BUSY. */
  busyTimeout?: number;
  /** 'opfs': handle mode ('readwrite-unsafe' where available by default; 'readwrite' = exclusive handles, closed at each lock hand-over). */
  opfsMode?: 'readwrite-unsafe' | 'readwrite';
  /** 'opfs': true = always a separate Worker for the handles; false = in this (dedicated Worker) context. Default: in-process inside a dedicated Worker, else a Worker. */
  opfsWorker?: boolean;
  /** 'opfs': URL of opfs-worker.js (default: the same code started from a blob: URL, which works in any bundle; set this where a CSP forbids blob: workers). */
  opfsWorkerURL?: string | URL;
  /** 'opfs': fall back to IndexedDB when OPFS is missing (default true). */
  opfsFallback?: boolean;
  /** Initial database bytes (e.g. from export() or a file made by sqlite3). */
  data?: Uint8Array | ArrayBuffer;
  /** Return every INTEGER as a BigInt. */
  bigint?: boolean;
  readonly?: boolean;
  /** First open only: a precompiled module (bundlers, Cloudflare). */
  module?: WebAssembly.Module;
  /** First open only: the .wasm bytes. */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** First open only: where to fetch the .wasm from. */
  wasmURL?: string | URL;
  /** Wrap the storage (tests: delays and reordering). */
  wrapStorage?(s: Storage): Storage;
  /** Mirror the database's first 64 KiB in the host VFS (default true). */
  mirrorHeader?: boolean;
}

export class SqliteError extends Error {
  name: 'SqliteError';
  /** SQLite's code name, from the extended result code when there is one. */
  code: string;
  /** The numeric (extended) result code. */
  rc: number;
  /** Byte offset of the error in the SQL text, when known. */
  offset?: number;
}

export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface ColumnInfo {
  name: string;
  type: string | null; // declared type
}

export class Statement<R = Row> {
  readonly database: Database;
  readonly source: string;
  readonly reader: boolean | undefined;
  /** Compiles the statement if prepare() could not without I/O. */
  ready(): Promise<this>;
  raw(on?: boolean): Statement<SqlValue[]>;
  safeIntegers(on?: boolean): this;
  columns(): ColumnInfo[];
  run(...params: BindParams): Promise<RunResult>;
  get(...params: BindParams): Promise<R | undefined>;
  all(...params: BindParams): Promise<R[]>;
  iterate(...params: BindParams): AsyncGenerator<R, void, undefined>;
  /** True when the statement does not write the database (undefined before it is compiled). */
  readonly readonly: boolean | undefined;
  /** Storage classes of the current row's values (valid inside iterate()). */
  rowTypes(): Array<'integer' | 'real' | 'text' | 'blob' | 'null'>;
  finalize(): void;
}

export class Database {
  readonly name: string;
  readonly storage: string;
  readonly open: boolean;
  readonly inTransaction: boolean;
  /** How many times a step or prepare yielded for I/O. */
  readonly ioWaits: number;
  exec(sql: string): Promise<this>;
  /** The statements of a multi-statement string, compiled one at a time
   *  (each after the previous was consumed); start/end are character
   *  offsets in sql. */
  statements(sql: string): AsyncGenerator<{ statement: Statement; start: number; end: number }, void, undefined>;
  prepare<R = Row>(sql: string): Statement<R>;
  /** Tagged template: values are bound as parameters, never spliced. */
  sql<R = Row>(strings: TemplateStringsArray, ...values: BindValue[]): Promise<R[]>;
  transaction<T>(fn: (tx: Database) => Promise<T>, mode?: '' | 'DEFERRED' | 'IMMEDIATE' | 'EXCLUSIVE'): Promise<T>;
  export(): Promise<Uint8Array>;
  close(): Promise<void>;
}

export function open(name?: string, options?: OpenOptions): Promise<Database>;
export default open;
export function codeName(rc: number): string;

/** A Storage kept in JS memory, served through the async host VFS. */
export class MemoryStorage implements Storage {
  constructor(opts?: { syncMethods?: boolean });
  size(path: string): Promise<number>;
  read(path: string, off: number, n: number): Promise<Uint8Array>;
  write(path: string, off: number, data: Uint8Array): Promise<void>;
  truncate(path: string, size: number): Promise<void>;
  sync(path: string): Promise<void>;
  close(path: string): Promise<void>;
  remove(path: string): Promise<void>;
  writeAll(path: string, data: Uint8Array): Promise<void>;
  readAll(path: string): Promise<Uint8Array>;
}

/**
 * The async page-store interface behind PageStorage: batch get/put/delete of
 * keys, the shape of Cloudflare Durable Object storage (`state.storage`
 * satisfies it as it is).  Implement it over any key-value backend.
 */
export interface PageStore {
  /** The values of the keys that exist (absent keys are left out). */
  get(keys: string[]): Promise<Map<string, Uint8Array | number>>;
  put(entries: Record<string, Uint8Array | number>): Promise<void>;
  delete(keys: string[]): Promise<unknown>;
}

/** A Storage that keeps each file as fixed-size pages in a PageStore. */
export class PageStorage implements Storage {
  constructor(store: PageStore, opts?: { pageSize?: number; batch?: number; prefix?: string });
  size(path: string): Promise<number>;
  read(path: string, off: number, n: number): Promise<Uint8Array>;
  write(path: string, off: number, data: Uint8Array): Promise<void>;
  truncate(path: string, size: number): Promise<void>;
  sync(path: string): Promise<void>;
  close(path: string): Promise<void>;
  remove(path: string): Promise<void>;
  writeAll(path: string, data: Uint8Array): Promise<void>;
  readAll(path: string): Promise<Uint8Array>;
}

/** A PageStore over a Map (tests, or a model for other backends). */
export function mapPageStore(map?: Map<string, Uint8Array | number>): PageStore & { map: Map<string, Uint8Array | number> };

/** A read-only Storage reading a database over HTTP Range requests (open with { readonly: true }). */
export class HttpRangeStorage implements Storage {
  /** blockSize (default 65536) bytes per Range request, cacheBlocks (default 64) kept. */
  constructor(opts?: { fetch?: typeof fetch; headers?: Record<string, string>; blockSize?: number; cacheBlocks?: number });
  /** How many HTTP requests were made so far. */
  readonly requests: number;
  size(path: string): Promise<number>;
  read(path: string, off: number, n: number): Promise<Uint8Array>;
  write(path: string, off: number, data: Uint8Array): Promise<void>;
  truncate(path: string, size: number): Promise<void>;
  sync(path: string): Promise<void>;
  close(path: string): Promise<void>;
  remove(path: string): Promise<void>;
  writeAll(path: string, data: Uint8Array): Promise<void>;
  readAll(path: string): Promise<Uint8Array>;
}
