/** The `cars` entry point: the only CLI code that touches `process`. */
import { runCli } from './run-cli.js';

// `cars export | head` closes the pipe early; that is the reader's choice, not an error (EPIPE).
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(process.exitCode ?? 0);
});

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
