/**
 * `npm run fuzz`: the spec-driven fuzzing and the stateful model test (test/fuzz/), against a
 * server of their own or a deployed instance (`--url`), under the contract run's safety rules;
 * exits 0 on a pass, 1 on a failure, 2 when it cannot run.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { openRemoteTarget, type RemoteTarget } from '../test/contract/remote-target.js';
import { FUZZ_TARGET_ENV, type FuzzTargetConfig } from '../test/fuzz/fuzz-target.js';
import { CTRL_C_HELP, parseTargetArgs, positiveInteger, runTargetCommand, type TargetArgs } from './target-command.js';

const FUZZ_DIR = 'test/fuzz';
/** The model test walks ids 1..5; the request fuzzer folds every id onto the same five. */
const RESERVED_IDS = 5;
const HELP = `Usage: npm run fuzz -- [options]

Runs the fuzz tests (${FUZZ_DIR}/): requests generated from the spec's schemas, valid and with one
defect each, and random create/get/replace/patch/delete sequences checked against a model. Every
answer is checked against the spec.

Without --url they start their own server. With --url they run against a deployed instance,
after the same checks as npm run test:contract -- --url (reachable, this spec, the key taken):
every car id in a request is folded onto ${RESERVED_IDS} ids the run reserved after checking they
are free, every create names one of them, the model test leaves out listing (other clients' cars),
and the reserved cars are deleted at the end, also after a failure or Ctrl-C.

  --url <url>          the instance's root, e.g. https://staging.example.com
  --api-key <key>      its API key (default: $CARS_API_KEY)
  --read-only          send only GET, HEAD and OPTIONS (the model test is skipped)
  --id-base <n>        reserve ids n..n+${RESERVED_IDS - 1} (default: a random free range)
  --runs <n>           cases in all (default 2000; FUZZ_RUNS)
  --reporter junit     also write a JUnit XML report, to --output
  --output <file>      where --reporter writes (default fuzz-results.xml)
  --markdown <file>    write a Markdown summary; it is also appended to $GITHUB_STEP_SUMMARY when set
  --help               print this help

Exit codes: 0 passed, 1 a test failed, 2 the run could not start, with one line saying why.
${CTRL_C_HELP}`;

interface FuzzOptions extends TargetArgs {
  runs?: number;
}

function options(env: NodeJS.ProcessEnv): FuzzOptions | undefined {
  const parsed = parseTargetArgs(env, { extra: { runs: { type: 'string' } }, junitDefault: 'fuzz-results.xml' });
  if (!parsed) return undefined;
  const runs = positiveInteger('runs', parsed.values.runs);
  return { ...parsed.target, ...(runs !== undefined && { runs }) };
}

/** The counts and failures in a JUnit file written by node's test runner. */
interface Outcome {
  tests: number;
  pass: number;
  fail: number;
  skipped: number;
  failures: { name: string; message: string }[];
}

interface JUnitCase {
  name?: string;
  failure?: { message?: string } | string;
  testcase?: JUnitCase | JUnitCase[];
  testsuite?: JUnitCase | JUnitCase[];
}

/** Reads node's JUnit report: the totals from its comments, the failing cases from its elements. */
export function readOutcome(xml: string): Outcome {
  const count = (name: string) => Number(new RegExp(`<!-- ${name} (\\d+) -->`).exec(xml)?.[1] ?? 0);
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (tag) => tag === 'testcase' || tag === 'testsuite' }).parse(xml) as { testsuites?: JUnitCase };
  const failures: Outcome['failures'] = [];
  const walk = (node: JUnitCase) => {
    for (const child of [node.testsuite, node.testcase].flat()) {
      if (!child) continue;
      if (child.failure !== undefined) {
        const message = typeof child.failure === 'string' ? child.failure : (child.failure.message ?? '');
        failures.push({ name: child.name ?? '', message: message.split('\n')[0] ?? '' });
      }
      walk(child);
    }
  };
  if (parsed.testsuites) walk(parsed.testsuites);
  return { tests: count('tests'), pass: count('pass'), fail: count('fail'), skipped: count('skipped'), failures };
}

function markdownSummary(target: string, outcome: Outcome, passed: boolean): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const lines = [
    `## Fuzz run against ${target}: ${passed ? 'passed' : 'FAILED'}`,
    '',
    '| tests | pass | fail | skipped |',
    '|---|---|---|---|',
    `| ${outcome.tests} | ${outcome.pass} | ${outcome.fail} | ${outcome.skipped} |`,
    '',
  ];
  if (outcome.failures.length > 0) {
    lines.push('### Failures', '', '| test | message |', '|---|---|', ...outcome.failures.map((f) => `| ${cell(f.name)} | ${cell(f.message)} |`), '');
  }
  return `${lines.join('\n')}\n`;
}

/** Runs the fuzz test files on node's test runner; resolves with its exit code. */
async function runFuzzTests(env: Record<string, string>, junitFile: string, signal: AbortSignal): Promise<number> {
  const files = (await readdir(FUZZ_DIR)).filter((f) => f.endsWith('.test.ts')).sort().map((f) => join(FUZZ_DIR, f));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=junit', `--test-reporter-destination=${junitFile}`, ...files],
    { env: { ...outsideTestRunner(process.env), ...env }, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const stop = () => child.kill('SIGTERM');
  signal.addEventListener('abort', stop, { once: true });
  // Stopped before the tests started (while the target was being checked): they stop at once.
  if (signal.aborted) stop();
  return new Promise((done) => {
    child.once('close', (code) => {
      signal.removeEventListener('abort', stop);
      done(code ?? 1);
    });
  });
}

/**
 * The environment without NODE_TEST_CONTEXT: when this script runs under node's test runner (its
 * own test does), the variable would make the nested runner report to that one instead of running.
 */
function outsideTestRunner(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_TEST_CONTEXT: _context, ...rest } = env;
  return rest;
}

runTargetCommand<FuzzOptions>({
  name: 'fuzz',
  invocation: 'npm run fuzz --',
  help: HELP,
  parse: options,
  markdownFile: (opts) => opts.markdown,
  async run(opts, { signal, reserved }) {
    const dir = await mkdtemp(join(tmpdir(), 'cars-fuzz-'));
    let target: RemoteTarget | undefined;
    try {
      const env: Record<string, string> = opts.runs === undefined ? {} : { FUZZ_RUNS: String(opts.runs) };
      if (opts.url !== undefined) {
        target = await openRemoteTarget({
          url: opts.url,
          readOnly: opts.readOnly,
          idCount: RESERVED_IDS,
          ...(opts.apiKey !== undefined && { apiKey: opts.apiKey }),
          ...(opts.idBase !== undefined && { idBase: opts.idBase }),
          onReserved: reserved,
        });
        const config: FuzzTargetConfig = {
          url: target.url,
          readOnly: opts.readOnly,
          requiresIfMatch: target.hookTarget.requiresIfMatch,
          reserved: [...target.reserved],
          ...(opts.apiKey !== undefined && { apiKey: opts.apiKey }),
        };
        env[FUZZ_TARGET_ENV] = JSON.stringify(config);
      }
      const junitFile = opts.junit ?? join(dir, 'fuzz-results.xml');
      const code = await runFuzzTests(env, junitFile, signal);
      const outcome = readOutcome(await readFile(junitFile, 'utf8').catch(() => ''));
      const left = target ? await target.cleanup() : [];
      target = undefined;
      for (const problem of left) process.stdout.write(`fuzz: FAIL: left behind on the target: ${problem}\n`);
      if (outcome.tests === 0 && !signal.aborted) process.stdout.write('fuzz: FAIL: no test ran\n');
      // A stopped run did not pass, even when nothing had failed before it stopped.
      if (signal.aborted) process.stdout.write('fuzz: FAIL: stopped (Ctrl-C or SIGTERM) before the end\n');
      const passed = code === 0 && left.length === 0 && outcome.tests > 0 && !signal.aborted;
      process.stdout.write(`fuzz: ${outcome.pass} passing, ${outcome.fail} failing, ${outcome.skipped} skipped, ${outcome.tests} total; ${passed ? 'OK' : 'FAILED'}\n`);
      return { passed, markdown: markdownSummary(opts.url ?? 'a local server', outcome, passed) };
    } finally {
      // After a failure or Ctrl-C, too: the cars the run created go.
      if (target) for (const problem of await target.cleanup()) process.stderr.write(`fuzz: left behind on the target: ${problem}\n`);
      await rm(dir, { recursive: true, force: true });
    }
  },
});
