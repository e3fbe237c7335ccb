/**
 * `npm run bench:client`: the client package's figures. Minified+gzipped browser bundle (client with
 * openapi-fetch, and the client's own code), installed size and package count of the tarball in an
 * empty project, and `cars get 1` start to exit against a running server (median of RUNS).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { buildClientPackage } from '../build-client.js';
import { startServerProcess } from '../../test/support/process.js';

const RUNS = 21;
const TARGETS = { bundleKiB: 10, ownKiB: 3, startMs: 250 };

/** Bytes of a minified, gzipped browser bundle of the package's ESM entry. */
async function bundleBytes(entry: string, external: string[]): Promise<number> {
  const result = await build({
    stdin: { contents: `export * from ${JSON.stringify(entry)};`, resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    external,
    write: false,
  });
  return gzipSync(result.outputFiles[0]?.contents ?? new Uint8Array(), { level: 9 }).length;
}

/** The size of every file under a folder. */
function sizeOf(dir: string): number {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).reduce((sum, f) => {
    const stat = statSync(join(dir, f));
    return stat.isFile() ? sum + stat.size : sum;
  }, 0);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const kib = (bytes: number) => bytes / 1024;
const mark = (ok: boolean) => (ok ? 'PASS' : 'MISS');

const tarball = await buildClientPackage();
const entry = join(process.cwd(), 'dist/client-package/dist/index.js');
const withFetch = await bundleBytes(entry, []);
const own = await bundleBytes(entry, ['openapi-fetch']);

const project = mkdtempSync(join(tmpdir(), 'cars-client-bench-'));
const server = await startServerProcess({ env: { DATABASE_URL: 'sqlite::memory:' } });
try {
  writeFileSync(join(project, 'package.json'), '{"name":"empty","private":true}');
  const install = spawnSync('npm', ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline'], { cwd: project, encoding: 'utf8' });
  if (install.status !== 0) throw new Error(install.stderr);
  const lock = JSON.parse(readFileSync(join(project, 'node_modules/.package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
  const packages = Object.keys(lock.packages);
  const installed = sizeOf(join(project, 'node_modules'));

  await fetch(`${server.url}/cars`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"id":1,"model":"Honda","color":"White"}' });
  const cars = join(project, 'node_modules/.bin/cars');
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const run = spawnSync(cars, ['get', '1', '--url', server.url], { cwd: tmpdir(), encoding: 'utf8' });
    times.push(performance.now() - start);
    if (run.status !== 0) throw new Error(`cars get 1 exited ${run.status}: ${run.stderr}`);
  }
  const startMs = median(times);

  const lines = [
    `@cars-api/client figures, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}`,
    `browser bundle, client + openapi-fetch (min+gzip): ${kib(withFetch).toFixed(2)} KiB  (target <= ${TARGETS.bundleKiB}) ${mark(kib(withFetch) <= TARGETS.bundleKiB)}`,
    `browser bundle, client's own code (min+gzip):     ${kib(own).toFixed(2)} KiB  (target <= ${TARGETS.ownKiB}) ${mark(kib(own) <= TARGETS.ownKiB)}`,
    `installed in an empty project: ${packages.length} packages (${packages.map((p) => p.replace('node_modules/', '')).join(', ')}), ${kib(installed).toFixed(0)} KiB`,
    `cars get 1, start to exit: median ${startMs.toFixed(0)} ms of ${RUNS} (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})  (target <= ${TARGETS.startMs}) ${mark(startMs <= TARGETS.startMs)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  await server.stop();
  rmSync(project, { recursive: true, force: true });
}
