/**
 * `npm run test:contract`: Dredd against a fresh server with authentication on, or against a
 * deployed instance (`--url`); exits 0 on a pass, 1 on a failed contract, 2 when it cannot run.
 */
import { markdownSummary, notExercisableLines } from '../test/contract/contract-report.js';
import { judge, runContract, type ContractRunOptions } from '../test/contract/run-contract.js';
import { CTRL_C_HELP, parseTargetArgs, runTargetCommand } from './target-command.js';

const LOGLEVELS = ['debug', 'warning', 'error', 'silent'] as const;
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
unreachable host, refused key, another spec, no free ids), with one line saying why.
${CTRL_C_HELP}`;

interface CliOptions {
  run: ContractRunOptions;
  markdown?: string;
}

function options(env: NodeJS.ProcessEnv): CliOptions | undefined {
  const parsed = parseTargetArgs(env, {
    extra: {
      timeout: { type: 'string' },
      loglevel: { type: 'string' },
      'read-only-key': { type: 'string' },
      'write-only-key': { type: 'string' },
    },
    remoteOnly: ['read-only-key', 'write-only-key'],
    junitDefault: 'results.xml',
  });
  if (!parsed) return undefined;
  const { target, values } = parsed;
  const timeoutS = Number(values.timeout ?? '120');
  if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw new Error(`--timeout must be a positive number, got "${values.timeout}"`);
  const loglevel = values.loglevel ?? 'error';
  if (!(LOGLEVELS as readonly string[]).includes(loglevel)) {
    throw new Error(`--loglevel must be one of ${LOGLEVELS.join(', ')}, got "${loglevel}"`);
  }
  const run: ContractRunOptions = {
    timeoutMs: timeoutS * 1000,
    loglevel: loglevel as (typeof LOGLEVELS)[number],
    ...(target.url !== undefined && { url: target.url }),
    ...(target.apiKey !== undefined && { apiKey: target.apiKey }),
    ...(target.readOnly && { readOnly: true }),
    ...(values['read-only-key'] !== undefined && { readOnlyKey: values['read-only-key'] }),
    ...(values['write-only-key'] !== undefined && { writeOnlyKey: values['write-only-key'] }),
    ...(target.idBase !== undefined && { idBase: target.idBase }),
    ...(target.junit !== undefined && { junitOutput: target.junit }),
  };
  return { run, ...(target.markdown !== undefined && { markdown: target.markdown }) };
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

runTargetCommand<CliOptions>({
  name: 'contract',
  invocation: 'npm run test:contract --',
  help: HELP,
  parse: options,
  markdownFile: (opts) => opts.markdown,
  async run(opts, { signal, reserved }) {
    const out = lineWriter((line) => process.stdout.write(`${line}\n`));
    const run = await runContract({ ...opts.run, signal, onReserved: reserved, onOutput: out.write });
    out.flush();
    const problems = judge(run);
    process.stdout.write(`\ncontract: ${run.summaryLine ?? 'Dredd printed no summary line'}\n`);
    for (const line of notExercisableLines(run)) process.stdout.write(`contract: ${line}\n`);
    for (const problem of problems) process.stdout.write(`contract: FAIL: ${problem}\n`);
    if (problems.length === 0) process.stdout.write('contract: OK\n');
    return { passed: problems.length === 0, markdown: markdownSummary(run, problems) };
  },
});
