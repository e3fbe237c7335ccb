/**
 * `npm run test:contract`: Dredd against a fresh server with authentication on, or against a
 * deployed instance (`--url`); exits 0 on a pass, 1 on a failed contract, 2 when it cannot run.
 */
import { appendFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { markdownSummary, notExercisableLines } from '../test/contract/contract-report.js';
import { TargetError } from '../test/contract/remote-target.js';
import { judge, runContract, type ContractRunOptions } from '../test/contract/run-contract.js';

const LOGLEVELS = ['debug', 'warning', 'error', 'silent'] as const;
const REPORTERS = ['junit', 'xunit'] as const;
const HELP = `Usage: npm run test:contract -- [options]

Without --url: starts the app on a loopback port with a fresh in-memory store and authentication
required, creates API keys for the hooks (full, read-only, write-only, revoked), runs Dredd against
spec/cars.openapi.yaml with test/contract/hooks.cjs, and fails on any failing, erroring or
skipped transaction, on fewer than 12 passing, or on a documented response never answered.

With --url: the same run against a deployed instance. It first checks the instance (reachable,
serving this spec, taking the key), writes only to car ids it reserved after checking they are
free, and deletes those cars at the end, also after a failure or Ctrl-C. Responses the instance
cannot produce (store faults; 428 or 429 when it is not configured for them; 403 without the
keys below) are listed as "not exercisable against this target" and do not fail the run.

  --url <url>              the instance's root, e.g. https://staging.example.com
  --api-key <key>          its API key with cars:read and cars:write (default: $CARS_API_KEY)
  --read-only              send only GET, HEAD and OPTIONS (a smoke test for production)
  --read-only-key <key>    a key with only cars:read, for the 403 responses of writes
  --write-only-key <key>   a key with only cars:write, for the 403 responses of reads
  --id-base <n>            reserve car ids n, n+1, n+2 (default: a random free range)
  --reporter junit         also write Dredd's JUnit XML report, to --output
  --output <file>          where --reporter writes (default results.xml)
  --markdown <file>        write a Markdown summary; it is also appended to $GITHUB_STEP_SUMMARY when set
  --timeout <seconds>      kill Dredd after this long (default 120)
  --loglevel <level>       Dredd's log level: ${LOGLEVELS.join(', ')} (default error)
  --help                   print this help

Exit codes: 0 passed, 1 the contract failed, 2 the run could not start (bad option, bad URL,
unreachable host, refused key, another spec, no free ids), with one line saying why.`;

interface CliOptions {
  run: ContractRunOptions;
  markdown?: string;
}

function options(env: NodeJS.ProcessEnv): CliOptions | undefined {
  const { values } = parseArgs({
    options: {
      timeout: { type: 'string' },
      loglevel: { type: 'string' },
      url: { type: 'string' },
      'api-key': { type: 'string' },
      'read-only': { type: 'boolean' },
      'read-only-key': { type: 'string' },
      'write-only-key': { type: 'string' },
      'id-base': { type: 'string' },
      reporter: { type: 'string' },
      output: { type: 'string' },
      markdown: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const timeoutS = Number(values.timeout ?? '120');
  if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw new Error(`--timeout must be a positive number, got "${values.timeout}"`);
  const loglevel = values.loglevel ?? 'error';
  if (!(LOGLEVELS as readonly string[]).includes(loglevel)) {
    throw new Error(`--loglevel must be one of ${LOGLEVELS.join(', ')}, got "${loglevel}"`);
  }
  if (values.reporter !== undefined && !(REPORTERS as readonly string[]).includes(values.reporter)) {
    throw new Error(`--reporter must be junit, got "${values.reporter}"`);
  }
  if (values.output !== undefined && values.reporter === undefined) throw new Error('--output needs --reporter junit');
  const remoteOnly = ['api-key', 'read-only', 'read-only-key', 'write-only-key', 'id-base'] as const;
  const stray = remoteOnly.find((name) => values[name] !== undefined);
  if (values.url === undefined && stray) throw new Error(`--${stray} needs --url`);
  const idBase = values['id-base'] === undefined ? undefined : Number(values['id-base']);
  if (idBase !== undefined && !(Number.isSafeInteger(idBase) && idBase >= 1)) {
    throw new Error(`--id-base must be a positive integer, got "${values['id-base']}"`);
  }
  if (idBase !== undefined && values['read-only']) throw new Error('--id-base reserves ids to write, and --read-only writes none');
  const apiKey = values['api-key'] ?? (values.url !== undefined ? env.CARS_API_KEY : undefined);
  const run: ContractRunOptions = {
    timeoutMs: timeoutS * 1000,
    loglevel: loglevel as (typeof LOGLEVELS)[number],
    ...(values.url !== undefined && { url: values.url }),
    ...(apiKey && { apiKey }),
    ...(values['read-only'] && { readOnly: true }),
    ...(values['read-only-key'] !== undefined && { readOnlyKey: values['read-only-key'] }),
    ...(values['write-only-key'] !== undefined && { writeOnlyKey: values['write-only-key'] }),
    ...(idBase !== undefined && { idBase }),
    ...(values.reporter !== undefined && { junitOutput: values.output ?? 'results.xml' }),
  };
  return { run, ...(values.markdown !== undefined && { markdown: values.markdown }) };
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
  let opts: CliOptions | undefined;
  try {
    opts = options(process.env);
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
    const run = await runContract({ ...opts.run, signal: abort.signal, onOutput: out.write });
    out.flush();
    const problems = judge(run);
    process.stdout.write(`\ncontract: ${run.summaryLine ?? 'Dredd printed no summary line'}\n`);
    for (const line of notExercisableLines(run)) process.stdout.write(`contract: ${line}\n`);
    for (const problem of problems) process.stdout.write(`contract: FAIL: ${problem}\n`);
    if (problems.length === 0) process.stdout.write('contract: OK\n');
    const markdown = markdownSummary(run, problems);
    if (opts.markdown !== undefined) await writeFile(opts.markdown, markdown);
    // GitHub Actions shows this file on the job's page.
    if (process.env.GITHUB_STEP_SUMMARY) await appendFile(process.env.GITHUB_STEP_SUMMARY, markdown);
    return problems.length === 0 ? 0 : 1;
  } catch (err) {
    if (err instanceof TargetError) {
      process.stderr.write(`contract: ${err.message}\n`);
      return 2;
    }
    throw err;
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
