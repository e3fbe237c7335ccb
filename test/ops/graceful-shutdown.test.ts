/** SIGTERM and SIGINT on the real entry point: in-flight requests finish, new connections are refused, exit 0. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request, type ClientRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServerProcess, type Exit, type ServerProcess } from '../support/process.js';
import { boundedRequest } from '../scale/bounded-request.js';

const IN_FLIGHT = 50;
const SHUTDOWN_TIMEOUT_MS = 5_000;
// How long the bodies stay half-sent after the signal: long enough for the server to have acted on it.
const HOLD_MS = 200;
const STEP_MS = 10_000;

interface Car {
  id: number;
  model: string;
  color: string;
}

/** The outcome of one request, as its client saw it. */
interface Outcome {
  status?: number;
  body?: string;
  error?: string;
}

/** A PUT whose headers and first half of body are sent, and whose second half waits for `finish()`. */
interface HalfSentPut {
  /** Settles once the server has read the headers (its 100 Continue) and the first half of the body is written. */
  started: Promise<void>;
  /** Writes the rest of the body. */
  finish(): void;
  /** Settles with the response or the error; never rejects. */
  outcome: Promise<Outcome>;
  request: ClientRequest;
}

/**
 * Starts `PUT /cars/{id}` on its own connection. `Expect: 100-continue` makes the server answer
 * "100 Continue" once it has parsed the headers and handed the request to the app (RFC 9110
 * §10.1.1), so when `started` settles the request is genuinely in flight inside the server.
 */
function halfSentPut(url: string, agent: Agent | false, car: Car): HalfSentPut {
  const body = Buffer.from(JSON.stringify(car));
  const half = Math.floor(body.length / 2);
  const { hostname, port } = new URL(url);
  const req = request({
    host: hostname,
    port,
    agent,
    method: 'PUT',
    path: `/cars/${car.id}`,
    headers: { 'Content-Type': 'application/json', 'Content-Length': body.length, Expect: '100-continue' },
  });
  const outcome = new Promise<Outcome>((resolve) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', (err) => resolve({ status: res.statusCode ?? 0, error: `${(err as NodeJS.ErrnoException).code ?? ''} ${err.message}` }));
    });
    req.on('error', (err) => resolve({ error: `${(err as NodeJS.ErrnoException).code ?? ''} ${err.message}` }));
  });
  const started = new Promise<void>((resolve, reject) => {
    req.once('continue', () => req.write(body.subarray(0, half), (err) => (err ? reject(err) : resolve())));
    void outcome.then((o) => reject(new Error(`PUT /cars/${car.id} ended before it started: ${JSON.stringify(o)}`)));
  });
  req.flushHeaders();
  return { started, finish: () => req.end(body.subarray(half)), outcome, request: req };
}

/** Resolves with `promise`, or rejects after `ms` with `what` in the message. */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Tries a new TCP connection; resolves with the error code, or 'connected'. */
function tryConnect(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.setTimeout(STEP_MS, () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Tries new connections until one is refused or `ms` have passed; resolves with the last result. */
async function refusedWithin(url: string, ms: number): Promise<string> {
  const deadline = Date.now() + ms;
  let result = await tryConnect(url);
  while (result !== 'ECONNREFUSED' && Date.now() < deadline) {
    await sleep(25);
    result = await tryConnect(url);
  }
  return result;
}

/** The JSON lines a server process wrote. */
function logEntries(server: ServerProcess): Record<string, unknown>[] {
  return server
    .output()
    .split('\n')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

/** What a client saw of a SIGTERM sent while IN_FLIGHT PUTs were half-sent. */
interface Drain {
  outcomes: Outcome[];
  exit: Exit;
  /** Milliseconds from SIGTERM to exit. */
  took: number;
  entries: Record<string, unknown>[];
}

/**
 * Sends IN_FLIGHT PUTs up to half their body, SIGTERMs the server, checks that it still runs but
 * refuses new connections, then completes the bodies and waits (bounded) for the answers and the exit.
 */
async function drainUnderSigterm(child: ServerProcess, agent: Agent | false, cars: readonly Car[]): Promise<Drain> {
  const puts = cars.map((car) => halfSentPut(child.url, agent, car));
  await within(STEP_MS, `all ${cars.length} requests reaching the server`, Promise.all(puts.map((p) => p.started)));
  assert.equal(new Set(puts.map((p) => p.request.socket)).size, cars.length, 'one connection per request');

  const signalledAt = Date.now();
  process.kill(child.pid, 'SIGTERM');
  await sleep(HOLD_MS);

  // It no longer accepts connections (the signal is handled asynchronously, so allow a slow machine
  // some time), yet it is still running: every body is half-sent, so every request is still in flight.
  assert.equal(await refusedWithin(child.url, STEP_MS), 'ECONNREFUSED', 'a new connection after SIGTERM');
  assert.ok(child.isRunning(), `the server exited with requests in flight\n${child.output()}`);

  for (const put of puts) put.finish();
  const outcomes = await within(STEP_MS, 'the in-flight responses', Promise.all(puts.map((p) => p.outcome)));
  const exit = await within(SHUTDOWN_TIMEOUT_MS + STEP_MS, 'the server exiting', child.exited);
  return { outcomes, exit, took: Date.now() - signalledAt, entries: logEntries(child) };
}

/** Asserts every PUT was answered 201 with its car, and the server logged each before exiting 0. */
function assertDrained(child: ServerProcess, cars: readonly Car[], drain: Drain): void {
  const wrong = drain.outcomes
    .map((outcome, i) => ({ car: cars[i]!, outcome }))
    .filter(({ car, outcome }) => outcome.error !== undefined || outcome.status !== 201 || outcome.body !== JSON.stringify(car));
  assert.deepEqual(wrong, [], `answers that are not 201 with the car\n${child.output()}`);
  assert.deepEqual(drain.exit, { code: 0, signal: null }, child.output());
  assert.ok(drain.entries.some((e) => e.msg === 'shutting down: finishing in-flight requests' && e.signal === 'SIGTERM'));
  assert.equal(drain.entries.at(-1)?.msg, 'stopped');
  // Every answered request was logged before exit (the asynchronous log destination was flushed).
  const logged = drain.entries.filter((e) => e.msg === 'request' && e.operationId === 'replaceCar' && e.status === 201);
  assert.equal(logged.length, cars.length);
}

const FORCED = 'shutdown timeout: closing remaining connections';

describe('SIGTERM with requests in flight', () => {
  let dir = '';
  let env: Record<string, string> = {};
  let server: ServerProcess | undefined;
  let restarted: ServerProcess | undefined;
  let drain: Drain | undefined;
  const cars: Car[] = Array.from({ length: IN_FLIGHT }, (_, i) => ({ id: i + 1, model: `Model ${i + 1}`, color: `Drained ${i + 1}` }));

  // The SIGTERM itself happens here, once; each test checks one consequence of it, in any order.
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cars-shutdown-'));
    env = { DATABASE_URL: `sqlite:${join(dir, 'cars.db')}`, LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) };
    server = await startServerProcess({ env });
    // agent: false sends "Connection: close", so no connection outlives its request.
    drain = await drainUnderSigterm(server, false, cars);
  });
  after(async () => {
    await Promise.all([server?.kill(), restarted?.kill()]);
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it(`finishes all ${IN_FLIGHT} in-flight PUTs with 201, refuses new connections, and exits 0 within ${SHUTDOWN_TIMEOUT_MS} ms`, async () => {
    assert.ok(drain, 'the drain ran');
    assertDrained(server!, cars, drain);
    assert.ok(drain.took < SHUTDOWN_TIMEOUT_MS, `exited ${drain.took} ms after SIGTERM\n${server!.output()}`);
    assert.ok(!drain.entries.some((e) => e.msg === FORCED), 'drained without forcing connections closed');
  });

  it('keeps all of those writes: a new process on the same file returns every car', async () => {
    restarted = await startServerProcess({ env });
    const missing: string[] = [];
    for (const car of cars) {
      const answer = await boundedRequest(restarted.url, 'GET', `/cars/${car.id}`, {}, STEP_MS);
      if (answer.status !== 200 || JSON.stringify(answer.json) !== JSON.stringify(car)) missing.push(`${car.id}: ${answer.status} ${answer.text}`);
    }
    assert.deepEqual(missing, []);
    assert.deepEqual(await restarted.stop(SHUTDOWN_TIMEOUT_MS + STEP_MS), { code: 0, signal: null });
  });
});

describe('SIGTERM with requests in flight on keep-alive connections', () => {
  let dir = '';
  let server: ServerProcess | undefined;
  let drain: Drain | undefined;
  // Keep-alive, as browsers, proxies and load balancers use (and Node's own global agent since v19).
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const cars: Car[] = Array.from({ length: IN_FLIGHT }, (_, i) => ({ id: i + 1, model: `Kept ${i + 1}`, color: `Alive ${i + 1}` }));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cars-shutdown-keepalive-'));
    server = await startServerProcess({
      env: { DATABASE_URL: `sqlite:${join(dir, 'cars.db')}`, LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) },
    });
    drain = await drainUnderSigterm(server, agent, cars);
  });
  after(async () => {
    agent.destroy();
    await server?.kill();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it(`finishes all ${IN_FLIGHT} in-flight PUTs with 201 and exits 0 by the shutdown timeout`, async () => {
    assert.ok(drain, 'the drain ran');
    assertDrained(server!, cars, drain);
    // The forced close at SHUTDOWN_TIMEOUT_MS bounds the exit, plus the time to close the store and flush.
    assert.ok(drain.took < SHUTDOWN_TIMEOUT_MS + 1_000, `exited ${drain.took} ms after SIGTERM\n${server!.output()}`);
  });

  it(
    'closes each connection once its response is sent, instead of waiting for the shutdown timeout',
    () => {
      assert.ok(drain, 'the drain ran');
      assert.ok(!drain.entries.some((e) => e.msg === FORCED), `forced: exited ${drain.took} ms after SIGTERM`);
      assert.ok(drain.took < SHUTDOWN_TIMEOUT_MS / 2, `exited ${drain.took} ms after SIGTERM`);
    },
  );
});

describe('SIGINT on an idle server', () => {
  let dir = '';
  let server: ServerProcess | undefined;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cars-sigint-'));
    server = await startServerProcess({
      env: { DATABASE_URL: `sqlite:${join(dir, 'cars.db')}`, LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) },
    });
  });
  after(async () => {
    await server?.kill();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0 promptly, after logging that it stopped', async () => {
    const child = server!;
    assert.equal((await boundedRequest(child.url, 'GET', '/healthz', {}, STEP_MS)).status, 200);
    const signalledAt = Date.now();
    process.kill(child.pid, 'SIGINT');
    const exit = await within(SHUTDOWN_TIMEOUT_MS + STEP_MS, 'the server exiting', child.exited);
    const took = Date.now() - signalledAt;
    assert.deepEqual(exit, { code: 0, signal: null }, child.output());
    // Idle keep-alive connections (fetch keeps one) must not hold the exit until the timeout.
    assert.ok(took < SHUTDOWN_TIMEOUT_MS, `exited ${took} ms after SIGINT\n${child.output()}`);
    const entries = logEntries(child);
    assert.ok(entries.some((e) => e.msg === 'shutting down: finishing in-flight requests' && e.signal === 'SIGINT'), child.output());
    assert.equal(entries.at(-1)?.msg, 'stopped');
    assert.equal(await tryConnect(child.url), 'ECONNREFUSED');
  });
});
