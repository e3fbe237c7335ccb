/** The `cars` CLI against a real server on an ephemeral port: every command, import re-runs, and exit codes. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateApiKey, hashSecret } from '../../src/auth/api-keys.js';
import { openStore } from '../../src/store/open-store.js';
import { startServer, useServer, type TestServer } from '../support/server.js';
import { cliFor, type CliRun } from './cli-harness.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** A scratch directory for import files, removed after the run. */
const dir = mkdtempSync(join(tmpdir(), 'cars-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A CLI runner bound to a `useServer()` server, whose URL is known once it has started. */
function cliOn(server: TestServer): ReturnType<typeof cliFor> {
  return (argv, options) => cliFor(server.url)(argv, options);
}

/** The number of cars the server holds, from `X-Total-Count`. */
async function countCars(server: TestServer): Promise<number> {
  const answer = await server.request('GET', '/cars?total=true&limit=1');
  assert.equal(answer.status, 200);
  return Number(answer.headers.get('X-Total-Count'));
}

/** Asserts a run succeeded, showing its stderr when it did not. */
function ok(run: CliRun): CliRun {
  assert.equal(run.code, 0, `exit ${run.code}; stderr: ${run.stderr}`);
  return run;
}

describe('cars list', () => {
  const server = useServer();
  const cars = cliOn(server);
  before(async () => {
    for (const car of [
      { id: 1, model: 'Honda', color: 'White' },
      { id: 2, model: 'Ford', color: 'Black' },
      { id: 3, model: 'Honda', color: 'Red' },
    ]) {
      assert.equal((await server.request('POST', '/cars', { json: car })).status, 201);
    }
  });

  it('prints the cars as a table with a header row', async () => {
    const run = ok(await cars(['list']));
    assert.equal(run.stdout, ['ID  MODEL  COLOR', '1   Honda  White', '2   Ford   Black', '3   Honda  Red', ''].join('\n'));
    assert.equal(run.stderr, '');
  });

  it('prints the JSON array with --json', async () => {
    const run = ok(await cars(['list', '--json']));
    assert.deepEqual(JSON.parse(run.stdout), [
      { id: 1, model: 'Honda', color: 'White' },
      { id: 2, model: 'Ford', color: 'Black' },
      { id: 3, model: 'Honda', color: 'Red' },
    ]);
  });

  it('filters by --model and --color and orders by --sort', async () => {
    const hondas = ok(await cars(['list', '--model', 'honda', '--sort=-id', '--json']));
    assert.deepEqual(JSON.parse(hondas.stdout).map((c: { id: number }) => c.id), [3, 1]);
    const black = ok(await cars(['list', '--color', 'Black', '--json']));
    assert.deepEqual(JSON.parse(black.stdout), [{ id: 2, model: 'Ford', color: 'Black' }]);
  });

  it('prints one page with --limit and says on stderr that more follow', async () => {
    const run = ok(await cars(['list', '--limit', '2']));
    assert.equal(run.stdout.trim().split('\n').length, 3);
    assert.match(run.stderr, /More cars follow; add --all/);
  });

  it('walks every page with --all', async () => {
    const run = ok(await cars(['list', '--all', '--limit', '1', '--json']));
    assert.deepEqual(JSON.parse(run.stdout).map((c: { id: number }) => c.id), [1, 2, 3]);
  });

  it('says so when no car matches', async () => {
    const run = ok(await cars(['list', '--model', 'Tesla']));
    assert.equal(run.stdout, 'No cars.\n');
  });
});

describe('cars get, add, update, patch and delete', () => {
  const server = useServer();
  const cars = cliOn(server);

  it('adds a car with a chosen id, and one with the next free id', async () => {
    const chosen = ok(await cars(['add', '--model', 'Honda', '--color', 'White', '--id', '7']));
    assert.match(chosen.stdout, /^Created car 7\.\nID  MODEL  COLOR\n7   Honda  White\nETag: "\d+"\n$/);
    const next = ok(await cars(['add', '--model', 'Ford', '--color', 'Black', '--json']));
    const car = JSON.parse(next.stdout);
    assert.deepEqual({ model: car.model, color: car.color }, { model: 'Ford', color: 'Black' });
    assert.ok(Number.isInteger(car.id) && car.id !== 7);
    assert.equal((await server.request('GET', `/cars/${car.id}`)).json.model, 'Ford');
  });

  it('gets a car as a table with its ETag, or as JSON', async () => {
    const run = ok(await cars(['get', '7']));
    const etag = (await server.request('GET', '/cars/7')).headers.get('ETag');
    assert.equal(run.stdout, `ID  MODEL  COLOR\n7   Honda  White\nETag: ${etag}\n`);
    assert.deepEqual(JSON.parse(ok(await cars(['get', '7', '--json'])).stdout), { id: 7, model: 'Honda', color: 'White' });
  });

  it('replaces a car with update (PUT), or creates it when absent', async () => {
    const replaced = ok(await cars(['update', '7', '--model', 'New Honda', '--color', 'New Black']));
    assert.match(replaced.stdout, /^Replaced car 7\./);
    assert.deepEqual((await server.request('GET', '/cars/7')).json, { id: 7, model: 'New Honda', color: 'New Black' });
    const created = ok(await cars(['update', '40', '--model', 'Kia', '--color', 'Blue', '--json']));
    assert.deepEqual(JSON.parse(created.stdout), { id: 40, model: 'Kia', color: 'Blue' });
  });

  it('patches only the given fields, honouring --if-match', async () => {
    const patched = ok(await cars(['patch', '7', '--color', 'Red', '--json']));
    assert.deepEqual(JSON.parse(patched.stdout), { id: 7, model: 'New Honda', color: 'Red' });

    const stale = await cars(['patch', '7', '--model', 'Civic', '--if-match', '"1"']);
    assert.equal(stale.code, 1);
    assert.match(stale.stderr, /^cars: Precondition Failed: /);
    assert.equal(stale.stdout, '');

    const etag = (await server.request('GET', '/cars/7')).headers.get('ETag') ?? '';
    const fresh = ok(await cars(['patch', '7', '--model', 'Civic', '--if-match', etag]));
    assert.match(fresh.stdout, /^Patched car 7\.\nID  MODEL  COLOR\n7   Civic  Red\n/);
  });

  it('deletes a car, after which get answers 404', async () => {
    const run = ok(await cars(['delete', '40']));
    assert.equal(run.stdout, 'Deleted car 40.\n');
    assert.equal((await server.request('GET', '/cars/40')).status, 404);
  });

  it('exits 1 with the problem title and detail for an API error', async () => {
    const missing = await cars(['get', '999']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stdout, '');
    assert.equal(missing.stderr, 'cars: Not Found: No car has id 999.\n');

    const invalid = await cars(['add', '--model', '', '--color', 'Red']);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /^cars: Bad Request: The request does not match the API contract\.\n  \/model: must NOT have fewer than 1 characters\n$/);

    const taken = await cars(['add', '--model', 'A', '--color', 'B', '--id', '7']);
    assert.equal(taken.code, 1);
    assert.equal(taken.stderr, 'cars: Conflict: A car with id 7 already exists.\n');
  });
});

describe('cars export', () => {
  const server = useServer();
  const cars = cliOn(server);
  before(async () => {
    for (const car of [
      { id: 1, model: 'Honda', color: 'White' },
      { id: 2, model: 'Ford "F-150", V8', color: 'Black' },
    ]) {
      assert.equal((await server.request('POST', '/cars', { json: car })).status, 201);
    }
  });

  it('writes a JSON array by default', async () => {
    const run = ok(await cars(['export']));
    assert.deepEqual(JSON.parse(run.stdout), [
      { id: 1, model: 'Honda', color: 'White' },
      { id: 2, model: 'Ford "F-150", V8', color: 'Black' },
    ]);
  });

  it('writes one JSON object a line with --format ndjson', async () => {
    const run = ok(await cars(['export', '--format', 'ndjson']));
    assert.equal(run.stdout, '{"id":1,"model":"Honda","color":"White"}\n{"id":2,"model":"Ford \\"F-150\\", V8","color":"Black"}\n');
  });

  it('writes CSV with a header row and quoted fields with --format csv', async () => {
    const run = ok(await cars(['export', '--format', 'csv']));
    assert.equal(run.stdout, 'id,model,color\n1,Honda,White\n2,"Ford ""F-150"", V8",Black\n');
  });

  it('walks every page', async () => {
    for (let id = 3; id <= 1005; id++) {
      assert.equal((await server.request('POST', '/cars', { json: { id, model: 'Mass', color: 'Grey' } })).status, 201);
    }
    const run = ok(await cars(['export', '--format', 'ndjson']));
    const ids = run.stdout.trim().split('\n').map((line) => JSON.parse(line).id);
    assert.equal(ids.length, 1005);
    assert.equal(new Set(ids).size, 1005);
  });

  it('exports an empty store as an empty array', async () => {
    const empty = await startServer();
    try {
      const run = ok(await cliFor(empty.url)(['export']));
      assert.deepEqual(JSON.parse(run.stdout), []);
    } finally {
      await empty.close();
    }
  });

  it('rejects an unknown format with exit 2', async () => {
    const run = await cars(['export', '--format', 'xml']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--format must be one of json, ndjson, csv, got "xml"/);
  });
});

describe('cars import', () => {
  const server = useServer();
  const cars = cliOn(server);

  it('imports a JSON array and prints a summary', async () => {
    const path = file('cars.json', JSON.stringify([{ id: 1, model: 'Honda', color: 'White' }, { model: 'Ford', color: 'Black' }]));
    const run = ok(await cars(['import', path]));
    assert.equal(run.stdout, `Imported ${path} (json, 2 rows): 2 created, 0 skipped, 0 failed.\n`);
    assert.deepEqual((await server.request('GET', '/cars/1')).json, { id: 1, model: 'Honda', color: 'White' });
    assert.equal(await countCars(server), 2);
  });

  it('imports NDJSON, failing only the line that is not JSON', async () => {
    const path = file('cars.ndjson', '{"model":"Kia","color":"Blue"}\n{not json\n\n{"model":"Seat","color":"Grey"}\n');
    const run = await cars(['import', path]);
    assert.equal(run.code, 1, 'a failed row makes the exit code 1');
    assert.match(run.stdout, /\(ndjson, 3 rows\): 2 created, 0 skipped, 1 failed\.\nFailed:\n {2}line 2: not valid JSON: /);
    assert.equal(await countCars(server), 4);
  });

  it('imports CSV with an optional id column, in any column order', async () => {
    const path = file('cars.csv', 'color,model,id\nGreen,Fiat,50\n"Red, dark","Alfa ""Giulia""",\n');
    const run = ok(await cars(['import', path, '--json']));
    const report = JSON.parse(run.stdout);
    assert.deepEqual([report.format, report.rows, report.created, report.skipped, report.failed], ['csv', 2, 2, 0, 0]);
    assert.deepEqual((await server.request('GET', '/cars/50')).json, { id: 50, model: 'Fiat', color: 'Green' });
    const alfa = report.outcomes[1];
    assert.deepEqual((await server.request('GET', `/cars/${alfa.id}`)).json, { id: alfa.id, model: 'Alfa "Giulia"', color: 'Red, dark' });
  });

  it('takes the format from --format when the extension says nothing', async () => {
    const path = file('cars.txt', '{"model":"Lada","color":"White"}\n');
    assert.equal((await cars(['import', path])).code, 2);
    const run = ok(await cars(['import', path, '--format', 'ndjson']));
    assert.match(run.stdout, /1 created/);
  });

  it('skips an explicit id that exists with the reason, and fails invalid rows with the problem detail', async () => {
    const path = file('mixed.csv', 'id,model,color\n1,Other,Car\n,,Pink\n70,Saab,Silver\n70,Saab,Silver\nabc,Volvo,Blue\n');
    const run = await cars(['import', path]);
    assert.equal(run.code, 1);
    assert.equal(
      run.stdout,
      [
        `Imported ${path} (csv, 5 rows): 1 created, 2 skipped, 2 failed.`,
        'Skipped:',
        '  line 2: already exists: A car with id 1 already exists.',
        '  line 5: same as line 4',
        'Failed:',
        '  line 3: Bad Request: The request does not match the API contract. (/model: must NOT have fewer than 1 characters)',
        '  line 6: Bad Request: The request does not match the API contract. (/id: must be integer)',
        'Fix the failed rows and run the import again: rows already imported are skipped.',
        '',
      ].join('\n'),
    );
    assert.deepEqual((await server.request('GET', '/cars/1')).json, { id: 1, model: 'Honda', color: 'White' });
  });

  it('exits 1 with a clear message for a file that is missing or not valid', async () => {
    const missing = await cars(['import', join(dir, 'nope.csv')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^cars: cannot read .*nope\.csv: ENOENT/);
    const badJson = await cars(['import', file('bad.json', '{"model":')]);
    assert.equal(badJson.code, 1);
    assert.match(badJson.stderr, /cannot import .*bad\.json: the file is not valid JSON/);
    const badHeader = await cars(['import', file('bad.csv', 'make,colour\nA,B\n')]);
    assert.equal(badHeader.code, 1);
    assert.match(badHeader.stderr, /the CSV header must name the columns model and color/);
  });

  it('round-trips: export as CSV, import into an empty server, and the cars are the same', async () => {
    const exported = ok(await cars(['export', '--format', 'csv'])).stdout;
    const target = await startServer();
    try {
      ok(await cliFor(target.url)(['import', file('roundtrip.csv', exported)]));
      const again = ok(await cliFor(target.url)(['export', '--format', 'csv'])).stdout;
      assert.equal(again, exported);
    } finally {
      await target.close();
    }
  });

  it('draws a progress bar on stderr only when stderr is a terminal', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => ({ model: `Bar ${i}`, color: 'Tty' }));
    const tty = ok(await cars(['import', file('tty.json', JSON.stringify(rows))], { tty: true }));
    assert.match(tty.stderr, /\r\x1b\[Kimporting \[#{30}\] 100% 20\/20 created 20 skipped 0 failed 0/);
    assert.ok(tty.stderr.endsWith('\r\x1b[K'), 'the bar is erased before the summary');
    const piped = ok(await cars(['import', file('piped.json', JSON.stringify(rows))]));
    assert.equal(piped.stderr, '');
  });
});

describe('cars import of 5,000 rows, run twice', () => {
  const server = useServer();
  const cars = cliOn(server);

  it('creates every row once, and the second run creates nothing and reports every row skipped', async () => {
    const lines = ['id,model,color'];
    for (let i = 0; i < 5000; i++) lines.push(`,Model ${i},"Color, ${i % 13}"`);
    const path = file('big.csv', `${lines.join('\n')}\n`);

    const first = ok(await cars(['import', path]));
    assert.equal(first.stdout, `Imported ${path} (csv, 5000 rows): 5000 created, 0 skipped, 0 failed.\n`);
    assert.equal(await countCars(server), 5000);

    const second = ok(await cars(['import', path]));
    assert.equal(
      second.stdout,
      `Imported ${path} (csv, 5000 rows): 0 created, 5000 skipped, 0 failed.\nSkipped 5000 rows already imported by an earlier run.\n`,
    );
    assert.equal(await countCars(server), 5000, 'the re-run made no duplicates');
  });
});

describe('retries', () => {
  const server = useServer();
  const cars = cliOn(server);

  it('retries a row answered 429 after Retry-After, and creates it once', async () => {
    let refused = 0;
    // The first POST of each row is refused as a rate limiter would; the retry reaches the server.
    const seen = new Set<string>();
    const limited = async (request: Request): Promise<Response> => {
      const key = request.headers.get('Idempotency-Key');
      if (request.method === 'POST' && key && !seen.has(key)) {
        seen.add(key);
        refused++;
        return new Response(JSON.stringify({ type: 'urn:cars-api:problem:rate-limited', title: 'Too Many Requests', status: 429, detail: 'Slow down.' }), {
          status: 429,
          headers: { 'Content-Type': 'application/problem+json', 'Retry-After': '0' },
        });
      }
      return fetch(request);
    };
    const path = file('retry.json', JSON.stringify([{ model: 'R1', color: 'C' }, { model: 'R2', color: 'C' }]));
    const run = ok(await cars(['import', path], { fetch: limited }));
    assert.equal(refused, 2);
    assert.match(run.stdout, /2 created, 0 skipped, 0 failed/);
    assert.equal(await countCars(server), 2);
  });
});

describe('credentials', () => {
  let readWrite = '';
  let readOnly = '';
  const server = useServer(async () => {
    const store = await openStore('sqlite::memory:');
    const keys = [];
    for (const scopes of [['cars:read', 'cars:write'], ['cars:read']] as const) {
      const key = generateApiKey();
      await store.createApiKey({ id: key.id, name: 'cli test', scopes: [...scopes], secretHash: hashSecret(key.secret) });
      keys.push(key.key);
    }
    [readWrite = '', readOnly = ''] = keys;
    return { store, auth: { keys: store } };
  });

  it('sends --api-key, or CARS_API_KEY, as X-API-Key', async () => {
    const cars = cliFor(server.url);
    ok(await cars(['add', '--model', 'Keyed', '--color', 'Gold', '--id', '1', '--api-key', readWrite]));
    const fromEnv = ok(await cars(['get', '1', '--json'], { env: { CARS_API_KEY: readOnly } }));
    assert.deepEqual(JSON.parse(fromEnv.stdout), { id: 1, model: 'Keyed', color: 'Gold' });
  });

  it('exits 1 with the problem and a hint when the key is missing or lacks the scope', async () => {
    const cars = cliFor(server.url);
    const none = await cars(['list']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^cars: Unauthorized: .*\nPass an API key with --api-key or CARS_API_KEY\.\n$/);
    const weak = await cars(['add', '--model', 'A', '--color', 'B', '--api-key', readOnly]);
    assert.equal(weak.code, 1);
    assert.match(weak.stderr, /^cars: Forbidden: /);
  });

  it('stops an import at the first 401 instead of failing every row', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => ({ model: `NoKey ${i}`, color: 'X' }));
    const run = await cliFor(server.url)(['import', file('nokey.json', JSON.stringify(rows))]);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^cars: Unauthorized: /);
  });
});

describe('a server that is down', () => {
  it('exits 1 with "cannot reach the Cars API at <url>: <reason>"', async () => {
    // A port that was listening a moment ago and is now closed: connections are refused.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const url = `http://127.0.0.1:${port}`;
    const cars = cliFor(url);
    for (const argv of [['list'], ['get', '1'], ['export'], ['import', file('down.json', '[{"model":"A","color":"B"}]')]]) {
      const run = await cars(argv);
      assert.equal(run.code, 1, argv.join(' '));
      assert.equal(run.stderr, `cars: cannot reach the Cars API at ${url}: connect ECONNREFUSED 127.0.0.1:${port}\n`);
    }
  });
});

describe('usage errors', () => {
  const cars = cliFor('http://127.0.0.1:9');
  const cases: [string, string[], RegExp][] = [
    ['no command', [], /no command given/],
    ['an unknown command', ['fly'], /unknown command "fly"/],
    ['an unknown flag', ['list', '--colour', 'red'], /Unknown option '--colour'/],
    ['a flag of another command', ['get', '1', '--model', 'x'], /Unknown option '--model'/],
    ['a missing argument', ['get'], /get: missing <id>/],
    ['an extra argument', ['delete', '1', '2'], /delete: unexpected argument "2"/],
    ['a bad id', ['get', 'abc'], /the car id must be a positive integer, got "abc"/],
    ['a zero id', ['delete', '0'], /the car id must be a positive integer, got "0"/],
    ['a bad --limit', ['list', '--limit', '10x'], /--limit must be a positive integer, got "10x"/],
    ['a missing --color', ['add', '--model', 'A'], /missing --color/],
    ['a patch with nothing to change', ['patch', '1'], /patch needs --model, --color or both/],
    ['a flag without its value', ['list', '--model'], /--model/],
    ['a bad --url', ['list', '--url', 'ftp://x'], /--url must be an http\(s\) URL/],
    ['a value starting with a dash after a space', ['list', '--sort', '-id'], /use '--sort=-XYZ'/],
  ];
  for (const [what, argv, message] of cases) {
    it(`exits 2 for ${what}`, async () => {
      const run = await cars(argv);
      assert.equal(run.code, 2);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, message);
      assert.match(run.stderr, /Run 'cars --help' for usage\.\n$/);
    });
  }

  it('prints help with --help and exits 0', async () => {
    const run = ok(await cars(['--help']));
    for (const name of ['list', 'get', 'add', 'update', 'patch', 'delete', 'import', 'export']) assert.match(run.stdout, new RegExp(`^  ${name} `, 'm'));
    assert.match(ok(await cars(['import', '--help'])).stdout, /^Usage: cars import <file> \[--format json\|ndjson\|csv\]/);
  });
});

/** Runs a command to its end without blocking this process, whose event loop serves the test server. */
function run(file: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CliRun> {
  return new Promise((resolve) => {
    // The timeout only guards against a hang; no assertion depends on how long anything takes.
    execFile(file, args, { ...options, encoding: 'utf8', timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the cars entry points', () => {
  const server = useServer();

  it("runs as `npm run cars -- ...` with CARS_URL, and exits with the command's code", async () => {
    const env = { ...process.env, CARS_URL: server.url };
    const added = await run('npm', ['run', '--silent', 'cars', '--', 'add', '--model', 'Npm', '--color', 'Run', '--json'], { cwd: REPO, env });
    assert.equal(added.code, 0, added.stderr);
    assert.equal(JSON.parse(added.stdout).model, 'Npm');
    const missing = await run('npm', ['run', '--silent', 'cars', '--', 'get', '424242'], { cwd: REPO, env });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cars: Not Found: No car has id 424242\./);
  });

  it('runs the package.json bin from another working directory', async () => {
    const bin = join(REPO, 'src/cli/cars-bin.mjs');
    const listed = await run(process.execPath, [bin, 'list', '--json', '--url', server.url], { cwd: tmpdir() });
    assert.equal(listed.code, 0, listed.stderr);
    assert.ok(Array.isArray(JSON.parse(listed.stdout)));
    const usage = await run(process.execPath, [bin, 'get'], { cwd: tmpdir() });
    assert.equal(usage.code, 2);
  });
});
