// Loaded (with --expose-gc) only into the bench's RSS-soak server: on SIGUSR2 it runs a full
// garbage collection and says so on stderr. RSS taken right after is what the process retains,
// not where V8 happens to be between two major collections.
if (typeof globalThis.gc !== 'function') throw new Error('gc-on-signal.mjs needs node --expose-gc');
process.on('SIGUSR2', () => {
  globalThis.gc();
  process.stderr.write('bench-gc: done\n');
});
