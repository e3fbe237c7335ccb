/** `npm run test:contract`: Dredd against a fresh server with authentication on; exits 1 unless every documented response passed. */
import { parseArgs } from 'node:util';
import { judge, runContract, type ContractRunOptions } from '../test/contract/run-contract.js';

const LOGLEVELS = ['debug', 'warning', 'error', 'silent'] as const;
const HELP = `Usage: npm run test:contract -- [options]

Starts the app on a loopback port with a fresh in-memory store and authentication required,
creates API keys for the hooks (full, read-only, write-only, revoked), runs Dredd against
spec/cars.openapi.yaml with test/contract/hooks.cjs, and fails on any failing, erroring or
skipped transaction, on fewer than 12 passing, or on a documented response never answered.

  --timeout <seconds>   kill Dredd after this long (default 120)
  --loglevel <level>    Dredd's log level: ${LOGLEVELS.join(', ')} (default error)
  --help                print this help`;

function options(): ContractRunOptions | undefined {
  const { values } = parseArgs({
    options: { timeout: { type: 'string' }, loglevel: { type: 'string' }, help: { type: 'boolean' } },
    strict: true,
  });
  if (values.help) return undefined;
  const timeoutS = Number(values.timeout ?? '120');
  if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw new Error(`--timeout must be a positive number, got "${values.timeout}"`);
  const loglevel = values.loglevel ?? 'error';
  if (!(LOGLEVELS as readonly string[]).includes(loglevel)) {
    throw new Error(`--loglevel must be one of ${LOGLEVELS.join(', ')}, got "${loglevel}"`);
  }
  return { timeoutMs: timeoutS * 1000, loglevel: loglevel as (typeof LOGLEVELS)[number] };
}

/** Passes text on line by line, cutting very long lines (Dredd prints a failing 413's 1 MiB body). */
function lineWriter(emit: (line: string) => void, width = 2000) {
  let pending = '';
  const cut = (line: string) =>
    line.length > width ? `${line.slice(0, width)}… (${line.length - width} more characters)` : line;
  return {
    write(text: string) {
      const lines = (pending + text).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) emit(cut(line));
    },
    flush() {
      if (pending) emit(cut(pending));
      pending = '';
    },
  };
}

async function main(): Promise<number> {
  let opts: ContractRunOptions | undefined;
  try {
    opts = options();
  } catch (err) {
    process.stderr.write(`contract: ${(err as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (!opts) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }

  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const out = lineWriter((line) => process.stdout.write(`${line}\n`));
    const run = await runContract({ ...opts, signal: abort.signal, onOutput: out.write });
    out.flush();
    const problems = judge(run);
    process.stdout.write(`\ncontract: ${run.summaryLine ?? 'Dredd printed no summary line'}\n`);
    for (const problem of problems) process.stdout.write(`contract: FAIL: ${problem}\n`);
    if (problems.length === 0) process.stdout.write('contract: OK\n');
    return problems.length === 0 ? 0 : 1;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`contract: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
