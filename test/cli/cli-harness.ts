/** Runs the CLI in-process, as `runCli` with captured streams, against a given server URL. */
import type { CliIo } from '../../src/cli/index.js';

/** What one run printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options for one run. */
export interface CliRunOptions {
  /** Environment; `CARS_URL` is the test server unless given here. */
  env?: Record<string, string | undefined>;
  fetch?: CliIo['fetch'];
  /** Make stderr look like a terminal, so the progress bar is drawn. */
  tty?: boolean;
}

/** A writable that keeps what is written. */
function capture(isTTY: boolean): { stream: { write(chunk: string): boolean; isTTY: boolean }; text(): string } {
  const chunks: string[] = [];
  return {
    stream: {
      isTTY,
      write(chunk: string) {
        chunks.push(chunk);
        return true;
      },
    },
    text: () => chunks.join(''),
  };
}

/** Builds a runner bound to a server URL. */
export function cliFor(url: string) {
  return async function cars(argv: readonly string[], options: CliRunOptions = {}): Promise<CliRun> {
    const { runCli } = await import('../../src/cli/index.js');
    const stdout = capture(false);
    const stderr = capture(options.tty === true);
    const io: CliIo = { stdout: stdout.stream, stderr: stderr.stream, env: { CARS_URL: url, ...options.env } };
    if (options.fetch) io.fetch = options.fetch;
    const code = await runCli(argv, io);
    return { code, stdout: stdout.text(), stderr: stderr.text() };
  };
}
