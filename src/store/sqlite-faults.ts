/** Tells SQLite's environmental faults (busy, read-only, missing, I/O, full) from bugs. */
import { StoreUnavailableError } from './store-errors.js';

// Primary result codes; extended ones (SQLITE_BUSY_SNAPSHOT, SQLITE_IOERR_WRITE...) share the prefix.
const UNAVAILABLE = ['SQLITE_BUSY', 'SQLITE_READONLY', 'SQLITE_CANTOPEN', 'SQLITE_IOERR', 'SQLITE_FULL'];
// What mkdir can fail with when the data directory cannot be created.
const FILESYSTEM = ['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'ENOTDIR', 'EIO'];

/** True when SQLite answered SQLITE_BUSY (or an extended BUSY code): another connection holds a lock we need. */
export function isSqliteBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_'));
}

/** Wraps a fault in StoreUnavailableError; returns anything else (a bug) unchanged, to be rethrown. */
export function translateSqliteError(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return err;
  const fault = UNAVAILABLE.some((c) => code === c || code.startsWith(`${c}_`)) || FILESYSTEM.includes(code);
  if (!fault) return err;
  return new StoreUnavailableError(`SQLite store unavailable (${code}: ${(err as Error).message})`, { cause: err });
}
