/**
 * `npm run test:contract -- --url …` against a server this test starts (authentication required,
 * holding cars that are not the run's): the run passes, lists what it cannot exercise, leaves
 * those cars byte-identical and nothing of its own behind, also when stopped by Ctrl-C; --read-only
 * sends only reads; and a target that is no use stops the run within seconds with exit 2 and one
 * line. `npm run fuzz -- --url …` is held to the same.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { createApp, type AppSettings } from '../../src/app.js';
import { generateApiKey, hashSecret } from '../../src/auth/api-keys.js';
import { loadSpec, loadSpecText } from '../../src/spec.js';
import type { Scope } from '../../src/store/api-key-store.js';
import { openStore } from '../../src/store/open-store.js';
import { parseSummary, type DreddSummary } from './run-contract.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONTRACT_SCRIPT = join(REPO_ROOT, 'scripts/contract.ts');
const FUZZ_SCRIPT = join(REPO_ROOT, 'scripts/fuzz.ts');
/** Cars the run must not touch: the ids the spec's examples use, and one far away. */
const THEIRS = [
  { id: 1, model: 'Theirs', color: 'Red' },
  { id: 2, model: 'Theirs too', color: 'Blue' },
  { id: 424242, model: 'Far away', color: 'Green' },
];

interface Target {
  url: string;
  key: string;
  readOnlyKey: string;
  /** `METHOD path status` of every request the server answered, in order. */
  requests: string[];
  /** Every car's JSON and ETag, as bytes on the wire. */
  snapshot(): Promise<string>;
  close(): Promise<void>;
}

/** The real app on a loopback port with authentication required, holding {@link THEIRS}. */
async function startTarget(options: AppSettings = {}): Promise<Target> {
  const store = await openStore('sqlite::memory:');
  const createKey = async (scopes: Scope[]) => {
    const { id, secret, key } = generateApiKey();
    await store.createApiKey({ id, name: `remote-run-${scopes.join('+')}`, scopes, secretHash: hashSecret(secret) });
    return key;
  };
  const key = await createKey(['cars:read', 'cars:write']);
  const readOnlyKey = await createKey(['cars:read']);
  const app = await createApp({ store, spec: loadSpec(), specYaml: loadSpecText(), auth: { keys: store }, ...options });
  for (const car of THEIRS) await store.put(car);
  const requests: string[] = [];
  const handle = app.callback();
  const server: Server = createServer((req, res) => {
    res.once('finish', () => requests.push(`${req.method} ${req.url} ${res.statusCode}`));
    void handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    key,
    readOnlyKey,
    requests,
    async snapshot() {
      const list = await fetch(`${url}/cars?limit=1000`, { headers: { 'X-API-Key': key } });
      const parts = [await list.text()];
      for (const car of (JSON.parse(parts[0] ?? '[]') as { id: number }[])) {
        const one = await fetch(`${url}/cars/${car.id}`, { headers: { 'X-API-Key': key } });
        parts.push(`${one.headers.get('etag')} ${await one.text()}`);
      }
      return parts.join('\n');
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
}

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `npm run test:contract -- …args` (the script itself, with tsx), bounded in time. */
function contractCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return cli(CONTRACT_SCRIPT, args, options);
}

interface CliOptions {
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Called with the child process as soon as it is spawned. */
  onStart?: (child: ChildProcess) => void;
}

/** Runs a script with tsx, as npm would, bounded in time. */
function cli(
  script: string,
  args: string[],
  { env = {}, timeoutMs = 150_000, onStart }: CliOptions = {},
): Promise<CliResult> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, CARS_API_KEY: '', GITHUB_STEP_SUMMARY: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  onStart?.(child);
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Asserts the script stopped within seconds with exit 2 and one line on stderr matching `pattern`, no stack trace. */
function assertStoppedWithOneLine(result: CliResult, pattern: RegExp): void {
  const where = `stdout: ${result.stdout.slice(-2000)}\nstderr: ${result.stderr}`;
  assert.equal(result.code, 2, where);
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line expected:\n${where}`);
  assert.match(lines[0] ?? '', pattern);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  // Most of this is starting node and tsx, which takes several seconds on a loaded machine; a
  // check that waited for a timeout would also take as long as its timeout (5 s) more.
  assert.ok(result.ms < 30_000, `took ${result.ms} ms`);
}

/** A loopback URL where nothing listens: a port that was free a moment ago. */
async function unreachableUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/**
 * Runs `script` against `target` and sends it one Ctrl-C (SIGINT) mid-run, past the checks before
 * it (their probe writes three times), at a moment when the target holds one of `ids`, a car the
 * run created; `held` is that id (undefined if it never held one).
 */
async function interruptWhileHolding(script: string, args: string[], target: Target, ids: readonly number[]): Promise<{ result: CliResult; held?: number }> {
  const exists = async (id: number) => (await fetch(`${target.url}/cars/${id}`, { headers: { 'X-API-Key': target.key } }).then(async (r) => (await r.text(), r.status))) === 200;
  const sentBefore = target.requests.length;
  const writes = () => target.requests.slice(sentBefore).filter((r) => !/^(GET|HEAD|OPTIONS) /.test(r)).length;
  let held: number | undefined;
  const result = await cli(script, args, {
    onStart: (child) => {
      let busy = false;
      const poll = setInterval(async () => {
        if (busy || held !== undefined || writes() < 5) return;
        busy = true;
        for (const id of ids) if (held === undefined && (await exists(id))) held = id;
        if (held !== undefined) child.kill('SIGINT');
        busy = false;
      }, 25);
      child.once('close', () => clearInterval(poll));
    },
  });
  return { result, ...(held !== undefined && { held }) };
}

/** Asserts a run stopped by one Ctrl-C said so, failed without a stack trace, and left the target as it was. */
async function assertCleanedUp(name: string, { result, held }: { result: CliResult; held?: number }, target: Target, snapshot: string, ids: readonly number[]): Promise<void> {
  assert.ok(held !== undefined, `the run never held any of cars ${ids.join(', ')}:\n${result.stdout.slice(-3000)}\n${result.stderr}`);
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, new RegExp(`^${name}: stopping; deleting the cars it created \\(reserved car ids ${ids[0]}, `, 'm'));
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(await target.snapshot(), snapshot);
}

describe('npm run test:contract -- --url (a deployed instance)', { timeout: 400_000 }, () => {
  let target: Target;
  let before_: string;
  let dir: string;
  let run: CliResult;
  let readOnlyRun: CliResult;
  let readOnlyRequests: string[];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cars-remote-run-'));
    target = await startTarget();
    before_ = await target.snapshot();
    run = await contractCli(
      ['--url', target.url, '--read-only-key', target.readOnlyKey, '--reporter', 'junit', '--output', join(dir, 'results.xml'), '--markdown', join(dir, 'summary.md')],
      { env: { CARS_API_KEY: target.key, GITHUB_STEP_SUMMARY: join(dir, 'step-summary.md') } },
    );
    const sent = target.requests.length;
    readOnlyRun = await contractCli(['--url', target.url, '--read-only', '--api-key', target.readOnlyKey]);
    readOnlyRequests = target.requests.slice(sent);
  });
  after(async () => {
    await target?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('passes, and lists what the instance cannot produce instead of failing on it', (t) => {
    for (const line of run.stdout.split('\n').filter((l) => l.startsWith('contract: '))) t.diagnostic(line);
    assert.equal(run.code, 0, `${run.stdout.slice(-6000)}\n${run.stderr}`);
    assert.match(run.stdout, /contract: OK/);
    assert.match(run.stdout, /Not exercisable against this target \(\d+; listed, not failed\):/);
    // Store faults cannot be injected into a deployed instance; its rate limit (default) is far above the probe.
    for (const key of ['GET /cars 500', 'GET /cars/{carId} 503', 'GET /readyz 503', 'POST /cars 429']) {
      assert.ok(run.stdout.includes(`  - ${key}: `), `${key} is listed as not exercisable`);
    }
    // With --read-only-key, the writes' 403s are earned; the reads' need a write-only key.
    assert.match(run.stdout, /pass: PUT \(403\)/);
    assert.ok(run.stdout.includes('  - GET /cars 403: needs a key with only cars:write (--write-only-key)'));
    // The instance does not require If-Match, and the run found out.
    assert.ok(run.stdout.includes('  - PUT /cars/{carId} 428: needs If-Match to be required, and the target does not require it (REQUIRE_IF_MATCH)'));
  });

  it('on an instance that requires If-Match, earns the 428s and still writes only its own cars', async (t) => {
    const strict = await startTarget({ requireIfMatch: true });
    try {
      const snapshot = await strict.snapshot();
      const result = await contractCli(['--url', strict.url, '--api-key', strict.key]);
      t.diagnostic(parseSummary(result.stdout)?.line ?? 'no summary line');
      assert.equal(result.code, 0, `${result.stdout.slice(-6000)}\n${result.stderr}`);
      for (const method of ['PUT', 'PATCH', 'DELETE']) assert.match(result.stdout, new RegExp(`pass: ${method} \\(428\\)`));
      assert.doesNotMatch(result.stdout, / 428: needs If-Match/);
      assert.equal(await strict.snapshot(), snapshot);
    } finally {
      await strict.close();
    }
  });

  it('leaves the cars it did not create byte-identical, and nothing of its own behind', async () => {
    assert.equal(await target.snapshot(), before_);
  });

  it('wrote only to ids it reserved', () => {
    const theirs = new Set(THEIRS.map((car) => `/cars/${car.id}`));
    const writes = target.requests.filter((r) => !/^(GET|HEAD|OPTIONS) /.test(r));
    assert.ok(writes.length > 10, 'the run wrote');
    const touched = writes.filter((r) => theirs.has(r.split(' ')[1]?.split('?')[0] ?? ''));
    assert.deepEqual(touched, []);
  });

  it('writes a JUnit XML report whose counts are Dredd\'s', async () => {
    const summary = parseSummary(run.stdout)?.summary;
    assert.ok(summary, 'Dredd printed its summary');
    const xml = await readFile(join(dir, 'results.xml'), 'utf8');
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as {
      testsuite: { tests: string; failures: string; errors: string; skip: string; testcase: { skipped?: unknown; failure?: unknown }[] };
    };
    const suite = parsed.testsuite;
    const counts: DreddSummary = {
      total: Number(suite.tests),
      failing: Number(suite.failures),
      errors: Number(suite.errors),
      skipped: Number(suite.skip),
      passing: Number(suite.tests) - Number(suite.failures) - Number(suite.errors) - Number(suite.skip),
    };
    assert.deepEqual(counts, summary);
    assert.equal(suite.testcase.length, summary.total);
    assert.equal(suite.testcase.filter((c) => c.skipped !== undefined).length, summary.skipped);
    assert.ok(summary.skipped > 0, 'the responses it could not exercise are skipped in the report');
  });

  it('writes a Markdown summary, to --markdown and to $GITHUB_STEP_SUMMARY', async () => {
    const markdown = await readFile(join(dir, 'summary.md'), 'utf8');
    assert.match(markdown, /^## Contract run against http:\/\/127\.0\.0\.1:\d+: passed/);
    assert.match(markdown, /### Not exercisable against this target \(\d+\)/);
    assert.match(markdown, /\| `GET \/cars 500` \| needs a store fault/);
    assert.equal(await readFile(join(dir, 'step-summary.md'), 'utf8'), markdown);
  });

  it('--read-only sends only GET, HEAD and OPTIONS, and lists every write as not exercisable', (t) => {
    t.diagnostic(parseSummary(readOnlyRun.stdout)?.line ?? 'no summary line');
    assert.equal(readOnlyRun.code, 0, `${readOnlyRun.stdout.slice(-6000)}\n${readOnlyRun.stderr}`);
    assert.ok(readOnlyRequests.length > 10, 'the run sent requests');
    assert.deepEqual(readOnlyRequests.filter((r) => !/^(GET|HEAD|OPTIONS) /.test(r)), []);
    assert.match(readOnlyRun.stdout, /  - POST \/cars 201: sends POST, and --read-only sends only GET, HEAD, OPTIONS/);
    assert.match(readOnlyRun.stdout, /pass: GET \(200\) \/cars\/\{carId\}/);
  });

  it('deletes the cars it created when stopped with Ctrl-C (SIGINT) mid-run', async () => {
    const base = 7000;
    const stopped = await interruptWhileHolding(CONTRACT_SCRIPT, ['--url', target.url, '--api-key', target.key, '--id-base', String(base)], target, [base, base + 1]);
    await assertCleanedUp('contract', stopped, target, before_, [base, base + 1]);
  });

  it('stops with exit 2 and one line when no id range is free (--id-base on their car)', async () => {
    const result = await contractCli(['--url', target.url, '--api-key', target.key, '--id-base', '2']);
    assertStoppedWithOneLine(result, /^contract: no free id range: car 2 exists in 2\.\.4; pass another --id-base$/);
  });

  it('stops with exit 2 and one line on a wrong key (401 on the first call)', async () => {
    const result = await contractCli(['--url', target.url, '--api-key', 'cars_0000_wrong']);
    assertStoppedWithOneLine(result, /^contract: http:\/\/127\.0\.0\.1:\d+ refused the API key: GET \/cars answered 401$/);
  });

  it('stops with exit 2 and one line on a bad URL', async () => {
    const result = await contractCli(['--url', 'staging.example.com']);
    assertStoppedWithOneLine(result, /^contract: --url "staging\.example\.com" is not a URL/);
  });

  it('stops with exit 2 and one line on an unreachable host', async () => {
    const url = await unreachableUrl();
    const result = await contractCli(['--url', url, '--api-key', target.key]);
    assertStoppedWithOneLine(result, new RegExp(`^contract: cannot reach ${url.replace(/\./g, '\\.')}: ECONNREFUSED`));
  });

  it('stops with exit 2 and one line on a server that serves another spec', async () => {
    const other = { ...loadSpec(), info: { title: 'Another API', version: '9.9.9' } };
    const server = createServer((req, res) => {
      res.writeHead(req.url === '/openapi.json' ? 200 : 404, { 'Content-Type': 'application/json' });
      res.end(req.url === '/openapi.json' ? JSON.stringify(other) : '{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const result = await contractCli(['--url', url, '--api-key', target.key]);
      assertStoppedWithOneLine(result, /^contract: http:\/\/127\.0\.0\.1:\d+ serves another API: its \/openapi\.json differs from spec\/cars\.openapi\.yaml at \/info\/title$/);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('npm run fuzz -- --url (a deployed instance)', { timeout: 300_000 }, () => {
  const base = 9000;
  let target: Target;
  let before_: string;
  let dir: string;
  let run: CliResult;
  let requests: string[];
  let readOnlyRun: CliResult;
  let readOnlyRequests: string[];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cars-remote-fuzz-'));
    // Requiring If-Match: the model test then expects 428 for every unconditional write to a car.
    target = await startTarget({ requireIfMatch: true });
    before_ = await target.snapshot();
    run = await cli(FUZZ_SCRIPT, ['--url', target.url, '--id-base', String(base), '--runs', '200', '--reporter', 'junit', '--output', join(dir, 'fuzz.xml'), '--markdown', join(dir, 'fuzz.md')], {
      env: { CARS_API_KEY: target.key },
    });
    requests = target.requests.slice();
    readOnlyRun = await cli(FUZZ_SCRIPT, ['--url', target.url, '--read-only', '--runs', '100', '--api-key', target.readOnlyKey]);
    readOnlyRequests = target.requests.slice(requests.length);
  });
  after(async () => {
    await target?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('passes, and reports in JUnit XML and Markdown', async (t) => {
    t.diagnostic(run.stdout.split('\n').find((l) => l.startsWith('fuzz: ')) ?? 'no summary line');
    assert.equal(run.code, 0, `${run.stdout.slice(-6000)}\n${run.stderr}`);
    const xml = await readFile(join(dir, 'fuzz.xml'), 'utf8');
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(xml) as { testsuites: unknown };
    assert.ok(parsed.testsuites, 'a JUnit document');
    const [, pass, total] = /^fuzz: (\d+) passing, 0 failing, 0 skipped, (\d+) total; OK$/m.exec(run.stdout) ?? [];
    assert.ok(Number(pass) >= 3 && pass === total, `every fuzz test ran and passed: ${pass} of ${total}`);
    assert.match(await readFile(join(dir, 'fuzz.md'), 'utf8'), new RegExp(`^## Fuzz run against http://127\\.0\\.0\\.1:\\d+: passed\n\n\\| tests \\| pass \\| fail \\| skipped \\|\n\\|---\\|---\\|---\\|---\\|\n\\| ${total} \\| ${pass} \\| 0 \\| 0 \\|`));
  });

  it('writes only to the ids it reserved, and leaves every other car byte-identical and nothing behind', async () => {
    const writes = requests.filter((r) => !/^(GET|HEAD|OPTIONS) /.test(r));
    assert.ok(writes.length > 100, `the run wrote (${writes.length} writes)`);
    const reserved = new Set(Array.from({ length: 5 }, (_, i) => `/cars/${base + i}`));
    // A write to any other /cars/… path is a defect the server refused (no id it can read: 1e3, 0x1, 1%20).
    const elsewhere = writes.filter((r) => {
      const [, path = '', status = ''] = r.split(' ');
      const item = path.split('?')[0] ?? '';
      return /^\/cars\/[^/]+$/.test(item) && !reserved.has(item) && !/^4\d\d$/.test(status);
    });
    assert.deepEqual(elsewhere, []);
    assert.equal(await target.snapshot(), before_);
  });

  it('--read-only sends only GET, HEAD and OPTIONS, and skips the model test', (t) => {
    t.diagnostic(readOnlyRun.stdout.split('\n').find((l) => l.startsWith('fuzz: ')) ?? 'no summary line');
    assert.equal(readOnlyRun.code, 0, `${readOnlyRun.stdout.slice(-6000)}\n${readOnlyRun.stderr}`);
    assert.ok(readOnlyRequests.length > 50, `the run sent requests (${readOnlyRequests.length})`);
    assert.deepEqual(readOnlyRequests.filter((r) => !/^(GET|HEAD|OPTIONS) /.test(r)), []);
    // The model test is the one skipped.
    assert.match(readOnlyRun.stdout, /^fuzz: \d+ passing, 0 failing, 1 skipped, \d+ total; OK$/m);
    assert.match(readOnlyRun.stdout, /agrees with the model .* # it writes, and --read-only sends only GET, HEAD and OPTIONS/);
  });

  it('stops with exit 2 and one line on a wrong key', async () => {
    const result = await cli(FUZZ_SCRIPT, ['--url', target.url, '--api-key', 'cars_0000_wrong']);
    assertStoppedWithOneLine(result, /^fuzz: http:\/\/127\.0\.0\.1:\d+ refused the API key: GET \/cars answered 401$/);
  });

  it('stops with exit 2 and one line on an unreachable host', async () => {
    const url = await unreachableUrl();
    const result = await cli(FUZZ_SCRIPT, ['--url', url, '--api-key', target.key]);
    assertStoppedWithOneLine(result, new RegExp(`^fuzz: cannot reach ${url.replace(/\./g, '\\.')}: ECONNREFUSED`));
  });

  it('deletes the cars it created when stopped with Ctrl-C (SIGINT) mid-run', async () => {
    const ids = Array.from({ length: 5 }, (_, i) => 9100 + i);
    // Enough cases that the run is still writing when the first of its cars appears.
    const stopped = await interruptWhileHolding(FUZZ_SCRIPT, ['--url', target.url, '--api-key', target.key, '--id-base', String(ids[0]), '--runs', '5000'], target, ids);
    await assertCleanedUp('fuzz', stopped, target, before_, ids);
  });
});
