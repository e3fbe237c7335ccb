/** Another process holding SQLite's write lock on a database file, until released. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

// BEGIN EXCLUSIVE takes the write lock at once (in WAL mode it is the same as IMMEDIATE: readers
// go on, writers wait). The lock goes when stdin closes, so the child can't outlive this process's hold on it.
const LOCKER = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1]);
db.pragma('busy_timeout = 10000');
db.exec('BEGIN EXCLUSIVE');
process.stdout.write('locked\\n');
process.stdin.resume();
process.stdin.on('end', () => { db.exec('ROLLBACK'); db.close(); process.exit(0); });
`;

/** A held lock. */
export interface SqliteLock {
  readonly pid: number;
  /** Rolls back, closes and waits for the child to exit. */
  release(): Promise<void>;
}

/** Starts a child that opens `filename`, takes the write lock and holds it; resolves once it is held. */
export async function holdWriteLock(filename: string, timeoutMs = 10_000): Promise<SqliteLock> {
  const child = spawn(process.execPath, ['-e', LOCKER, filename], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn the locker');
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit');
  const lines = createInterface({ input: child.stdout });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    const held = await Promise.race([once(lines, 'line').then(([line]) => line === 'locked'), exited.then(() => false)]);
    if (!held) throw new Error(`the locker did not take the lock: ${stderr}`);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return {
    pid,
    async release() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin.end();
      const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(force);
    },
  };
}
