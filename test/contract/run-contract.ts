/** Runs Dredd against the real app on a loopback port with a fresh store, and judges the outcome. */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Document } from 'openapi-backend';
import { createApp, type CarsApp } from '../../src/app.js';
import { generateApiKey, hashSecret } from '../../src/auth/api-keys.js';
import type { RateLimitOptions } from '../../src/http/rate-limit.js';
import { loadSpec, loadSpecText } from '../../src/spec.js';
import type { ApiKeyStore, Scope } from '../../src/store/api-key-store.js';
import { openStore } from '../../src/store/open-store.js';
import { recordingListener, recordLookedAt } from '../support/exercised.js';
import { startControlServer, type ExercisedResponse } from './control-server.js';
import { withFaults, type FaultyStore } from './faulty-store.js';
import { openRemoteTarget, type HookTarget } from './remote-target.js';

/** The counts on Dredd's `complete:` line. */
export interface DreddSummary {
  passing: number;
  failing: number;
  errors: number;
  skipped: number;
  total: number;
}

/** How to run. */
export interface ContractRunOptions {
  /** The store under the server; a fresh in-memory SQLite store by default. */
  databaseUrl?: string;
  /** Dredd is killed after this long (default 120 s). */
  timeoutMs?: number;
  /** Dredd's own log level (default `error`; `warning` also shows its parser warnings about the spec). */
  loglevel?: 'debug' | 'warning' | 'error' | 'silent';
  /** Receives Dredd's output as it arrives. */
  onOutput?: (text: string) => void;
  /** Aborting kills Dredd and shuts everything down (and deletes the cars a run against a URL created). */
  signal?: AbortSignal;
  /** Run against this deployed instance instead of servers of its own (see remote-target.ts). */
  url?: string;
  /** The key sent to `url` (cars:read and cars:write, or cars:read for `readOnly`). */
  apiKey?: string;
  /** Keys with only cars:read or only cars:write, so that a run against `url` can earn its 403s. */
  readOnlyKey?: string;
  writeOnlyKey?: string;
  /** Send only GET, HEAD and OPTIONS to `url`. */
  readOnly?: boolean;
  /** Reserve car ids from here on `url` (default: a random free range). */
  idBase?: number;
  /** Told the car ids reserved on `url` as soon as they are (see remote-target.ts). */
  onReserved?: (origin: string, ids: readonly number[]) => void;
  /** Also write Dredd's JUnit XML report (its `xunit` reporter) to this file. */
  junitOutput?: string;
}

/** What a run produced. */
export interface ContractRun {
  exitCode: number | null;
  /** Set when Dredd was killed (timeout or abort). */
  killedBy?: 'timeout' | 'abort';
  /** Dredd's `complete: … total` line, without colours. */
  summaryLine?: string;
  summary?: DreddSummary;
  /** Every `METHOD path-template status` the spec documents. */
  documented: string[];
  /** What the hooks reported, one entry per transaction. */
  exercised: ExercisedResponse[];
  /** The documented responses the target cannot produce, and why (always empty for a local run). */
  notExercisable: { key: string; reason: string }[];
  /** The server the transactions went to (the main one, for a local run). */
  target: string;
  /** Cars a run against a URL created and could not delete. */
  leftBehind: string[];
  /** Dredd's whole output (stdout and stderr, interleaved). */
  output: string;
}

/** The hook file Dredd loads; `.cjs` because Dredd `require`s it and this package is ESM. */
export const HOOKS_PATH = fileURLToPath(new URL('./hooks.cjs', import.meta.url));
/** The variable that tells the hooks where the control server is. */
export const CONTROL_URL_ENV = 'CONTRACT_CONTROL_URL';
/** The variable that tells the hooks where the server built with `requireIfMatch` is. */
export const STRICT_URL_ENV = 'CONTRACT_STRICT_URL';
/** The variable that tells the hooks where the rate-limited server is. */
export const LIMITED_URL_ENV = 'CONTRACT_LIMITED_URL';
/** The variable that tells the hooks that server's limit, as JSON `{ratePerSecond, burst}`. */
export const LIMITED_RATE_ENV = 'CONTRACT_LIMITED_RATE';
/** The variable that gives the hooks the API keys, as JSON {@link ContractKeys}. */
export const API_KEYS_ENV = 'CONTRACT_API_KEYS';
/** The variable that tells the hooks about a deployed target, as JSON {@link HookTarget}; unset for a local run. */
export const TARGET_ENV = 'CONTRACT_TARGET';

/** The keys the runner creates in the store before Dredd starts, as the text a client sends. */
export interface ContractKeys {
  /** cars:read and cars:write; every transaction sends it unless its row says otherwise. */
  full: string;
  readOnly?: string;
  writeOnly?: string;
  /** Had both scopes, then was revoked (none against a URL: a never-issued key stands in). */
  revoked?: string;
}

/**
 * The rate-limited server's limit: one request, then one more every 1000 s, so once a key has
 * spent its token every later request of that key in the run answers 429.
 */
export const LIMITED_RATE = { ratePerSecond: 0.001, burst: 1 } as const satisfies RateLimitOptions;

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const KILL_GRACE_MS = 5_000;

/** Lists `METHOD path-template status` for every response of every operation in the spec. */
export function documentedResponses(spec: Document): string[] {
  const keys: string[] = [];
  for (const [template, item] of Object.entries(spec.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const operation = (item as Record<string, { responses?: Record<string, unknown> } | undefined>)?.[method];
      for (const status of Object.keys(operation?.responses ?? {})) {
        keys.push(`${method.toUpperCase()} ${template} ${status}`);
      }
    }
  }
  return keys;
}

/** Reads the counts from Dredd's output; the last `complete:` line with counts wins. */
export function parseSummary(output: string): { line: string; summary: DreddSummary } | undefined {
  // Dredd colours its output unless told not to; strip escapes in case it did anyway.
  const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
  const lines = plain.split('\n').filter((l) => /^complete: .*\d+ total/.test(l.trim()));
  const line = lines.at(-1)?.trim();
  if (!line) return undefined;
  const count = (label: string) => Number(new RegExp(`(\\d+) ${label}`).exec(line)?.[1] ?? 0);
  return {
    line,
    summary: {
      passing: count('passing'),
      failing: count('failing'),
      errors: count('errors'),
      skipped: count('skipped'),
      total: count('total'),
    },
  };
}

/** Why a run is not a pass; empty when it is. Responses the target cannot produce are listed, not failed. */
export function judge(run: ContractRun, { minPassing = 12 }: { minPassing?: number } = {}): string[] {
  const problems: string[] = [];
  if (run.killedBy) problems.push(`Dredd was killed (${run.killedBy})`);
  const s = run.summary;
  if (!s) {
    problems.push('Dredd printed no summary line');
    return problems;
  }
  if (run.exitCode !== 0) problems.push(`Dredd exited with code ${run.exitCode}`);
  if (s.failing > 0) problems.push(`${s.failing} failing`);
  if (s.errors > 0) problems.push(`${s.errors} errors`);
  // A transaction the target cannot exercise is skipped, and listed with its reason instead.
  if (s.skipped > run.notExercisable.length) problems.push(`${s.skipped - run.notExercisable.length} skipped`);
  if (s.passing < minPassing) problems.push(`only ${s.passing} passing, expected at least ${minPassing}`);
  const missed = unanswered(run);
  if (missed.length > 0) problems.push(`documented but never answered: ${missed.join('; ')}`);
  for (const left of run.leftBehind) problems.push(`left behind on the target: ${left}`);
  return problems;
}

/** The documented `METHOD path-template status` keys that no transaction got from the server. */
export function unanswered(run: Pick<ContractRun, 'documented' | 'exercised'>): string[] {
  const answered = new Set(
    run.exercised
      .filter((e) => (e.actual !== undefined && e.key.endsWith(` ${e.actual}`)) || e.notExercisable !== undefined)
      .map((e) => e.key),
  );
  return run.documented.filter((key) => !answered.has(key));
}

/** Dredd's `fail:` lines, each cut to `width` characters (a failing 413 would print its 1 MiB body). */
export function failureLines(output: string, width = 300): string[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('fail:'))
    .map((line) => (line.length > width ? `${line.slice(0, width)}…` : line));
}

/**
 * Runs Dredd with the hooks: against `options.url` when given (see {@link runAgainstUrl}), or else
 * against the app (real store behind a fault-injecting wrapper, authentication required) on
 * loopback ephemeral ports, with the API keys the hooks send; then shuts everything down.
 */
export async function runContract(options: ContractRunOptions = {}): Promise<ContractRun> {
  if (options.url !== undefined) return runAgainstUrl(options.url, options);
  const { databaseUrl = 'sqlite::memory:' } = options;
  const specYaml = loadSpecText();
  const spec = loadSpec();
  const faults = withFaults(await openStore(databaseUrl));
  const cleanups: (() => Promise<void>)[] = [
    async () => {
      faults.disarm();
      await faults.store.close();
    },
  ];

  try {
    const keys = await createContractKeys(faults.store);
    const base = { store: faults.store, spec, specYaml, auth: { keys: faults.store } };
    const api = await listen(await createApp(base));
    cleanups.unshift(api.close);
    // The 428 responses need a server that requires If-Match, and the 429 responses one with a
    // tiny rate limit; both share the store and its keys.
    const strict = await listen(await createApp({ ...base, requireIfMatch: true }));
    cleanups.unshift(strict.close);
    const limited = await listen(await createApp({ ...base, rateLimit: { ...LIMITED_RATE } }));
    cleanups.unshift(limited.close);

    return await runDreddWithHooks(spec, api.url, options, {
      faults,
      env: {
        [STRICT_URL_ENV]: strict.url,
        [LIMITED_URL_ENV]: limited.url,
        [LIMITED_RATE_ENV]: JSON.stringify(LIMITED_RATE),
        [API_KEYS_ENV]: JSON.stringify(keys),
      },
    });
  } finally {
    for (const cleanup of cleanups) await cleanup();
  }
}

/**
 * The same run against a deployed instance. It first checks the target (a {@link TargetError}
 * when it is no use: bad URL, unreachable, another spec, a refused key, no free ids), writes only
 * to the car ids it reserved (none with `readOnly`), and deletes the cars it created at the end,
 * also when Dredd fails or is aborted.
 */
async function runAgainstUrl(url: string, options: ContractRunOptions): Promise<ContractRun> {
  const spec = loadSpec();
  const target = await openRemoteTarget({
    url,
    ...(options.apiKey !== undefined && { apiKey: options.apiKey }),
    ...(options.readOnly !== undefined && { readOnly: options.readOnly }),
    ...(options.idBase !== undefined && { idBase: options.idBase }),
    ...(options.onReserved && { onReserved: options.onReserved }),
  });
  let run: ContractRun | undefined;
  try {
    const keys: ContractKeys = {
      full: options.apiKey ?? '',
      ...(options.readOnlyKey !== undefined && { readOnly: options.readOnlyKey }),
      ...(options.writeOnlyKey !== undefined && { writeOnly: options.writeOnlyKey }),
    };
    run = await runDreddWithHooks(spec, target.url, options, {
      target: target.hookTarget,
      env: { [API_KEYS_ENV]: JSON.stringify(keys) },
    });
  } finally {
    const left = await target.cleanup();
    if (run) run.leftBehind = left;
  }
  return run;
}

/** Starts the control server, runs Dredd on the spec with the hooks against `serverUrl`, and collects what they reported. */
async function runDreddWithHooks(
  spec: Document,
  serverUrl: string,
  options: ContractRunOptions,
  { faults, target, env }: { faults?: FaultyStore; target?: HookTarget; env: Record<string, string> },
): Promise<ContractRun> {
  const { timeoutMs = 120_000, loglevel = 'error', onOutput, signal, junitOutput } = options;
  const control = await startControlServer(faults ? { faults } : {});
  const dreddSpec = await writeDreddSpec(spec);
  try {
    // Dredd's --reporter adds a report to its console output; `xunit` is its JUnit XML.
    const reporter = junitOutput === undefined ? [] : ['--reporter', 'xunit', '--output', resolve(junitOutput)];
    const dredd = await runDredd({
      args: [dreddSpec.path, serverUrl, '--hookfiles', HOOKS_PATH, '--loglevel', loglevel, '--no-color', ...reporter],
      env: { ...env, [CONTROL_URL_ENV]: control.url, ...(target && { [TARGET_ENV]: JSON.stringify(target) }) },
      timeoutMs,
      ...(onOutput && { onOutput }),
      ...(signal && { signal }),
    });
    const parsed = parseSummary(dredd.output);
    const exercised = [...control.exercised];
    // Coverage is the local suites' record: a run against a URL does not count.
    if (faults) recordCheckedHeaders(control.exercised);
    return {
      exitCode: dredd.exitCode,
      ...(dredd.killedBy && { killedBy: dredd.killedBy }),
      ...(parsed && { summaryLine: parsed.line, summary: parsed.summary }),
      documented: documentedResponses(spec),
      exercised,
      notExercisable: exercised.flatMap((e) => (e.notExercisable === undefined ? [] : [{ key: e.key, reason: e.notExercisable }])),
      target: serverUrl,
      leftBehind: [],
      output: dredd.output,
    };
  } finally {
    await control.close();
    await dreddSpec.remove();
  }
}

/**
 * Dredd passes a transaction only when its answer carries every documented response header, so
 * those count as looked at (contract coverage) for each passing transaction.
 */
function recordCheckedHeaders(exercised: readonly ExercisedResponse[]): void {
  for (const { key, actual, result, expectedHeaders = [] } of exercised) {
    const [method, template, status] = key.split(' ');
    if (result !== 'pass' || method === undefined || template === undefined || String(actual) !== status) continue;
    recordLookedAt(method, template, Number(status), expectedHeaders);
  }
}

/** Creates the keys the hooks send: one per scope combination, and a revoked one. */
export async function createContractKeys(store: ApiKeyStore): Promise<ContractKeys> {
  const create = async (name: string, scopes: Scope[]) => {
    const { id, secret, key } = generateApiKey();
    await store.createApiKey({ id, name, scopes, secretHash: hashSecret(secret) });
    return { id, key };
  };
  const full = await create('contract-full', ['cars:read', 'cars:write']);
  const readOnly = await create('contract-read-only', ['cars:read']);
  const writeOnly = await create('contract-write-only', ['cars:write']);
  const revoked = await create('contract-revoked', ['cars:read', 'cars:write']);
  if (!(await store.revokeApiKey(revoked.id))) throw new Error(`could not revoke the contract key ${revoked.id}`);
  return { full: full.key, readOnly: readOnly.key, writeOnly: writeOnly.key, revoked: revoked.key };
}

/**
 * Writes the spec as JSON for Dredd. Its YAML parser (YAML 1.1) rejects plain scalars with a
 * colon in flow sequences, such as `x-required-scopes: [cars:read]`, which YAML 1.2 allows; the
 * same document as JSON reads the same everywhere.
 */
async function writeDreddSpec(spec: Document): Promise<{ path: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'cars-api-contract-'));
  const path = join(dir, 'cars.openapi.json');
  await writeFile(path, `${JSON.stringify(spec, null, 2)}\n`);
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Serves an app on a loopback ephemeral port. */
async function listen(app: CarsApp): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer(recordingListener(app.callback()));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface DreddProcess {
  args: string[];
  env: Record<string, string>;
  timeoutMs: number;
  onOutput?: (text: string) => void;
  signal?: AbortSignal;
}

/** Runs the Dredd CLI as a child process that cannot outlive the timeout, an abort, or this process. */
function runDredd({ args, env, timeoutMs, onOutput, signal }: DreddProcess) {
  const dreddBin = createRequire(import.meta.url).resolve('dredd/bin/dredd');
  // --no-warnings hides Node's deprecation noise from Dredd's own dependencies.
  const child = spawn(process.execPath, ['--no-warnings', dreddBin, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  let output = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output += text;
    onOutput?.(text);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);

  let killedBy: 'timeout' | 'abort' | undefined;
  let escalation: NodeJS.Timeout | undefined;
  const kill = (reason: 'timeout' | 'abort') => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    killedBy ??= reason;
    child.kill('SIGTERM');
    escalation ??= setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
  };
  const timer = setTimeout(() => kill('timeout'), timeoutMs);
  const onAbort = () => kill('abort');
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);

  return new Promise<{ exitCode: number | null; killedBy?: 'timeout' | 'abort'; output: string }>((resolve, reject) => {
    child.once('error', (err) => {
      finish();
      reject(err);
    });
    child.once('close', (exitCode) => {
      finish();
      resolve({ exitCode, ...(killedBy && { killedBy }), output });
    });
    function finish() {
      clearTimeout(timer);
      clearTimeout(escalation);
      signal?.removeEventListener('abort', onAbort);
      process.removeListener('exit', onExit);
    }
  });
}
