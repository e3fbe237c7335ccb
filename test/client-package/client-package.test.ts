/**
 * The client as other programs get it: `npm run build:client`'s tarball, installed with npm into
 * projects outside the repository, used from plain ESM, CommonJS, strict TypeScript, a browser
 * bundle in Chromium, and as the globally installed `cars` command. Built once for every block.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { buildClientPackage } from '../../scripts/build-client.js';
import { startServerProcess, type ServerProcess } from '../support/process.js';
import { startServer, useServer } from '../support/server.js';

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'node_modules/.bin');
const CHROMIUM = '/usr/bin/chromium';
const NPM_FLAGS = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];
const RUN_MS = 120_000;

/** Runs a command to completion; never throws, so tests can assert on the exit code. */
async function run(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  try {
    const { stdout, stderr } = await exec(file, args, { ...options, timeout: RUN_MS, maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(err) };
  }
}

/** The tutorial's session on the client, as the body of an async function; it checks every result. */
const SESSION = `
  const cars = createCarsClient({ baseUrl: process.argv[2] });
  const honda = { id: 1, model: 'Honda', color: 'White' };
  const ford = { id: 2, model: 'Ford', color: 'Black' };
  let r = await cars.POST('/cars', { body: honda });
  assert.equal(r.response.status, 201); assert.deepEqual(r.data, honda);
  r = await cars.POST('/cars', { body: ford });
  assert.equal(r.response.status, 201); assert.deepEqual(r.data, ford);
  r = await cars.GET('/cars');
  assert.equal(r.response.status, 200); assert.deepEqual(r.data, [honda, ford]);
  r = await cars.GET('/cars/{carId}', { params: { path: { carId: 2 } } });
  assert.equal(r.response.status, 200); assert.deepEqual(r.data, ford);
  const newHonda = { id: 1, model: 'New Honda', color: 'New White' };
  r = await cars.PUT('/cars/{carId}', { params: { path: { carId: 1 } }, body: newHonda });
  assert.equal(r.response.status, 200); assert.deepEqual(r.data, newHonda);
  r = await cars.GET('/cars/{carId}', { params: { path: { carId: 1 } } });
  assert.deepEqual(r.data, newHonda);
  r = await cars.DELETE('/cars/{carId}', { params: { path: { carId: 1 } } });
  assert.equal(r.response.status, 204); assert.equal(r.data, undefined); assert.equal(r.error, undefined);
  r = await cars.GET('/cars');
  assert.deepEqual(r.data, [ford]);
  r = await cars.GET('/cars/{carId}', { params: { path: { carId: 1 } } });
  assert.equal(r.response.status, 404); assert.equal(r.error.title, 'Not Found');
  console.log('session ok');
`;

/** Strict TypeScript programs: the correct one compiles; each wrong one fails with its expected error. */
const TS_PROGRAMS: Record<string, { code: string; error?: RegExp }> = {
  'correct.ts': {
    code: `
      import { createCarsClient, CarsNetworkError, type components } from '@cars-api/client';
      type Car = components['schemas']['Car'];
      const cars = createCarsClient({ baseUrl: 'http://127.0.0.1:1' });
      export async function main(): Promise<Car | undefined> {
        const { data, error } = await cars.GET('/cars/{carId}', { params: { path: { carId: 2 } } });
        if (error) {
          console.log(error.title, error.status);
          return undefined;
        }
        await cars.POST('/cars', { body: { model: 'Ford', color: 'Black' } });
        await cars.patchCar(2, { color: 'Blue' }, { ifMatch: '"1"' });
        for await (const car of cars.listAll({ color: 'red' })) console.log(car.model.toUpperCase());
        const first = (await cars.GET('/cars')).data?.[0];
        console.log(first?.color, data.model, new CarsNetworkError('u', 'r').baseUrl);
        return data;
      }`,
  },
  'unknown-path.ts': { code: `await cars.GET('/trucks', {});`, error: /TS2345: Argument of type '"\/trucks"'/ },
  'missing-path-parameter.ts': {
    code: `await cars.GET('/cars/{carId}', { params: {} });`,
    error: /TS2741: Property 'path' is missing/,
  },
  'wrong-property-type.ts': {
    code: `await cars.POST('/cars', { body: { model: 'Ford', color: 7 } });`,
    error: /TS2322: Type 'number' is not assignable to type 'string'/,
  },
  'unknown-property.ts': {
    // openapi-fetch's POST/PUT infer their options generically, so TypeScript makes no excess-property
    // check there; the client's own non-generic patchCar does.
    code: `await cars.patchCar(1, { color: 'Black', wheels: 4 });`,
    error: /TS2353: Object literal may only specify known properties, and 'wheels' does not exist/,
  },
  'missing-response-field.ts': {
    code: `const { data } = await cars.GET('/cars/{carId}', { params: { path: { carId: 1 } } }); console.log(data?.price);`,
    error: /TS2339: Property 'price' does not exist/,
  },
  'patch-with-non-patch-body.ts': {
    code: `await cars.patchCar(1, [{ op: 'replace', path: '/color', value: 'Blue' }]);`,
    error: /TS2559: Type '\{ op: string; path: string; value: string; \}\[\]' has no properties in common with type/,
  },
};

let tarball: string;
let project: string;
const workDirs: string[] = [];

/** A fresh folder outside the repository. */
function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `cars-client-${name}-`));
  workDirs.push(dir);
  return dir;
}

before(async () => {
  tarball = await buildClientPackage();
  project = tempDir('consumer');
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const install = await run('npm', ['install', tarball, ...NPM_FLAGS], { cwd: project });
  assert.equal(install.code, 0, install.stderr);
});
after(() => {
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('holds only the compiled client, its types, the CLI, a README and package.json', async () => {
    const listed = await run('tar', ['-tzf', tarball], { cwd: ROOT });
    const files = listed.stdout.trim().split('\n').sort();
    assert.ok(files.includes('package/dist/types/generated/cars.d.ts'), 'the generated paths, components and operations');
    for (const file of files) {
      assert.match(file, /^package\/(package\.json|README\.md|dist\/(index\.c?js|cli\.js|types\/(src\/client|generated)\/[\w-]+\.d\.c?ts))$/, file);
    }
  });

  it('installs openapi-fetch (with its own type helpers) and nothing else', () => {
    const lock = JSON.parse(readFileSync(join(project, 'node_modules/.package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
    assert.deepEqual(Object.keys(lock.packages).sort(), [
      'node_modules/@cars-api/client',
      'node_modules/openapi-fetch',
      'node_modules/openapi-typescript-helpers',
    ]);
  });

  it('is clean for publint and @arethetypeswrong/cli', async () => {
    const lint = await run(join(BIN, 'publint'), ['run', '--strict', tarball], { cwd: ROOT });
    assert.equal(lint.code, 0, lint.stdout + lint.stderr);
    assert.match(lint.stdout, /All good!/, lint.stdout);
    const attw = await run(join(BIN, 'attw'), [tarball, '--format', 'json'], { cwd: ROOT });
    assert.equal(attw.code, 0, attw.stdout + attw.stderr);
    assert.deepEqual((JSON.parse(attw.stdout) as { analysis: { problems: unknown[] } }).analysis.problems, []);
  });
});

/** Runs a session program against a server of its own (the session creates cars 1 and 2). */
async function runSession(file: string) {
  const server = await startServer();
  try {
    return await run(process.execPath, [file, server.url], { cwd: project });
  } finally {
    await server.close();
  }
}

describe('a plain JavaScript program', () => {
  it('runs the tutorial session from ESM (import, no loader)', async () => {
    const file = join(project, 'session.mjs');
    writeFileSync(file, `import assert from 'node:assert/strict';\nimport { createCarsClient } from '@cars-api/client';\n${SESSION}`);
    const result = await runSession(file);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'session ok\n');
  });

  it('runs the tutorial session from CommonJS (require)', async () => {
    const file = join(project, 'session.cjs');
    writeFileSync(
      file,
      `const assert = require('node:assert/strict');\nconst { createCarsClient } = require('@cars-api/client');\n` +
        `(async () => {${SESSION}})().catch((err) => { console.error(err); process.exitCode = 1; });`,
    );
    const result = await runSession(file);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'session ok\n');
  });
});

describe('a strict TypeScript project', () => {
  it('compiles the correct program and rejects each wrong one with the expected error', async () => {
    const dir = join(project, 'ts');
    rmSync(dir, { recursive: true, force: true });
    const tsconfig = {
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2022', 'DOM', 'DOM.AsyncIterable'],
        types: [],
        strict: true,
        noUncheckedIndexedAccess: true,
        noEmit: true,
      },
      include: ['*.ts'],
    };
    mkdirSync(dir);
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
    const prelude = `import { createCarsClient } from '@cars-api/client';\nconst cars = createCarsClient({ baseUrl: 'http://127.0.0.1:1' });\n`;
    for (const [name, { code, error }] of Object.entries(TS_PROGRAMS)) {
      writeFileSync(join(dir, name), error ? `${prelude}${code}\nexport {};\n` : code);
    }
    const tsc = await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir, '--pretty', 'false'], { cwd: dir });
    const errors = tsc.stdout.split('\n').filter((line) => line.includes('error TS'));
    for (const [name, { error }] of Object.entries(TS_PROGRAMS)) {
      const own = errors.filter((line) => line.startsWith(`${name}(`));
      if (!error) assert.deepEqual(own, [], `${name} compiles`);
      else assert.ok(own.some((line) => error.test(line)), `${name}: expected ${error}, got:\n${own.join('\n') || '(no error)'}`);
    }
    assert.equal(errors.length, Object.values(TS_PROGRAMS).filter((p) => p.error).length, `one error per wrong program:\n${errors.join('\n')}`);
  });
});

describe('the client bundled for a browser', { skip: existsSync(CHROMIUM) || process.env.CI ? false : `${CHROMIUM} is missing` }, () => {
  let page: Server;
  let pageOrigin: string;
  let api: ServerProcess;
  let bundle: string;

  before(async () => {
    writeFileSync(
      join(project, 'page.mjs'),
      `import { createCarsClient, CarsNetworkError } from '@cars-api/client';
      const out = [];
      const cars = createCarsClient({ baseUrl: new URLSearchParams(location.search).get('api') });
      const created = await cars.POST('/cars', { body: { model: 'Fiat', color: 'Red' } });
      out.push(['create', created.response.status, created.data]);
      const id = created.data.id;
      const read = await cars.GET('/cars/{carId}', { params: { path: { carId: id } } });
      const etag = read.response.headers.get('ETag');
      out.push(['read', read.response.status, read.data, typeof etag]);
      const patched = await cars.patchCar(id, { color: 'Blue' }, { ifMatch: etag });
      out.push(['patch', patched.response.status, patched.data]);
      const stale = await cars.patchCar(id, { color: 'Green' }, { ifMatch: etag });
      out.push(['stale patch', stale.response.status, stale.error.status]);
      const deleted = await cars.DELETE('/cars/{carId}', { params: { path: { carId: id } } });
      out.push(['delete', deleted.response.status]);
      const gone = await cars.GET('/cars/{carId}', { params: { path: { carId: id } } });
      out.push(['read deleted', gone.response.status, gone.error.title]);
      try { await createCarsClient({ baseUrl: 'http://127.0.0.1:1' }).GET('/cars'); } catch (err) { out.push(['unreachable', err instanceof CarsNetworkError]); }
      window.results = out;`,
    );
    const built = await build({ entryPoints: [join(project, 'page.mjs')], bundle: true, minify: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent' });
    bundle = built.outputFiles[0]?.text ?? '';
    page = createServer((req, res) => {
      const js = req.url === '/page.js';
      res.writeHead(200, { 'Content-Type': js ? 'text/javascript' : 'text/html' });
      res.end(js ? bundle : '<!doctype html><title>client</title><script type="module" src="/page.js"></script>');
    });
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    pageOrigin = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
    api = await startServerProcess({ env: { DATABASE_URL: 'sqlite::memory:', CORS_ORIGINS: pageOrigin } });
  });
  after(async () => {
    await api?.stop().catch(() => api.kill());
    page?.closeAllConnections();
    await new Promise((resolve) => page?.close(resolve));
  });

  it('imports no node: module', () => {
    assert.ok(bundle.length > 0);
    assert.doesNotMatch(bundle, /["']node:/);
  });

  it('creates, reads, patches with If-Match, and deletes a car across origins', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, timeout: 30_000, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const tab = await browser.newPage();
      const errors: string[] = [];
      tab.on('pageerror', (err) => errors.push(err.message));
      await tab.goto(`${pageOrigin}/?api=${encodeURIComponent(api.url)}`, { timeout: 20_000 });
      await tab.waitForFunction(() => 'results' in globalThis, undefined, { timeout: 20_000 }).catch(() => assert.fail(errors.join('\n') || 'no results'));
      const results = await tab.evaluate(() => (globalThis as unknown as { results: unknown }).results);
      const id = (results as [string, number, { id: number }][])[0]?.[2].id;
      assert.deepEqual(results, [
        ['create', 201, { id, model: 'Fiat', color: 'Red' }],
        ['read', 200, { id, model: 'Fiat', color: 'Red' }, 'string'],
        ['patch', 200, { id, model: 'Fiat', color: 'Blue' }],
        ['stale patch', 412, 412],
        ['delete', 204],
        ['read deleted', 404, 'Not Found'],
        ['unreachable', true],
      ]);
    } finally {
      await browser.close();
    }
  });
});

describe('the globally installed cars command', () => {
  const server = useServer({}, async (s) => {
    await s.request('POST', '/cars', { json: { id: 1, model: 'Honda', color: 'White' } });
  });
  let cars: string;
  before(async () => {
    const prefix = tempDir('global');
    const install = await run('npm', ['install', '-g', '--prefix', prefix, tarball, ...NPM_FLAGS], { cwd: tmpdir() });
    assert.equal(install.code, 0, install.stderr);
    cars = join(prefix, 'bin/cars');
  });

  it('is compiled JavaScript that needs no TypeScript loader', () => {
    const source = readFileSync(cars, 'utf8');
    assert.match(source, /^#!\/usr\/bin\/env node\n/);
    assert.doesNotMatch(source, /tsx/);
  });

  it('lists and gets cars from any directory', async () => {
    const listed = await run(cars, ['list', '--json', '--url', server.url], { cwd: tmpdir() });
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(JSON.parse(listed.stdout), [{ id: 1, model: 'Honda', color: 'White' }]);
    const got = await run(cars, ['get', '1', '--json', '--url', server.url], { cwd: tmpdir() });
    assert.equal(got.code, 0, got.stderr);
    assert.deepEqual(JSON.parse(got.stdout), { id: 1, model: 'Honda', color: 'White' });
  });

  it('exits 1 with the problem title on a 404', async () => {
    const missing = await run(cars, ['get', '424242', '--url', server.url], { cwd: tmpdir() });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^cars: Not Found: No car has id 424242\./);
  });
});
