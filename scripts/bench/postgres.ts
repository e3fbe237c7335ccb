/**
 * The bench's PostgreSQL part: the real server on PostgreSQL against a bare node:http + pg
 * baseline sending the same statements with the same pool size, in a database created for the run
 * (and dropped after it), with the same pinning and interleaved rounds as the SQLite part.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { caseKey } from '../../src/store/case-key.js';
import { openPostgresStore } from '../../src/store/postgres-store.js';
import { benchCar } from './cars.js';
import { runLoad, type LoadTool } from './load.js';
import { cpuPinning, createFleet, ROOT, type BenchServer, type ServerSpec } from './processes.js';
import { runProfiles } from './profile.js';
import { formatTable, formatVerdicts, summarise, type Verdict } from './report.js';
import { measureRounds, type RoundScenario } from './rounds.js';
import { realServer, type TargetOptions } from './targets.js';
import { describe, type Workload } from './workload.js';

/** What the PostgreSQL part needs of the bench's options. */
export interface PostgresBenchOptions {
  rounds: number;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  tool: LoadTool;
  /** A URL the bench may create and drop databases through (its database is only connected to). */
  postgresUrl: string;
  /** The pool size of both the server (DATABASE_POOL_MAX) and the baseline. */
  poolMax: number;
  target: TargetOptions;
  profileScenarios: readonly string[];
  profileSeconds: number;
}

const CARS = 10_000;

interface PostgresScenario extends RoundScenario {
  /** The least median same-round ratio of the server's req/s to the baseline's. */
  goal: number;
}

const scenario = (id: string, goal: number, workload: (idBase: number) => Workload): PostgresScenario => ({
  id,
  label: describe(workload(0)),
  targets: ['pg-baseline', 'pg-server'],
  ratioLabel: 'of baseline',
  workload,
  goal,
});

const SCENARIOS: readonly PostgresScenario[] = [
  scenario('pg-get-id', 0.8, () => ({ kind: 'get-id', maxId: CARS })),
  scenario('pg-put', 0.85, () => ({ kind: 'put', maxId: CARS })),
  scenario('pg-post', 0.8, (idBase) => ({ kind: 'post', idBase })),
];

const log = (line: string) => process.stdout.write(`${line}\n`);

/** A database made for one run: migrated by the store and holding CARS cars; `drop` removes it. */
export async function createBenchDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `cars_bench_${randomBytes(5).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const drop = () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  try {
    // The store's own migrations make the schema; the rows go in as its insert writes them.
    await (await openPostgresStore({ connectionString: url })).close();
    const cars = Array.from({ length: CARS }, (_, i) => benchCar(i + 1));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(
        `INSERT INTO cars (id, model, color, model_key, color_key, revision)
         SELECT id, model, color, model_key, color_key, nextval('car_revision')
         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t(id, model, color, model_key, color_key)
         ORDER BY id`,
        [cars.map((c) => c.id), cars.map((c) => c.model), cars.map((c) => c.color), cars.map((c) => caseKey(c.model)), cars.map((c) => caseKey(c.color))],
      );
      await client.query('VACUUM ANALYZE cars');
    } finally {
      await client.end();
    }
  } catch (err) {
    await drop();
    throw err;
  }
  return { url, drop };
}

/** The real server (as targets.ts starts it) with its store on `databaseUrl`. */
function serverOn(databaseUrl: string, o: PostgresBenchOptions, nodeFlags: readonly string[] = []): ServerSpec {
  const spec = realServer('pg-server', '', o.target, nodeFlags);
  return { ...spec, env: { ...spec.env, DATABASE_URL: databaseUrl, DATABASE_POOL_MAX: String(o.poolMax) } };
}

function baselineOn(databaseUrl: string, o: PostgresBenchOptions): ServerSpec {
  return {
    name: 'pg-baseline',
    pin: o.target.pin,
    nodeFlags: ['--import', 'tsx'],
    args: ['scripts/bench/postgres-baseline-server.ts', '--port', '{port}', '--database-url', databaseUrl, '--pool-max', String(o.poolMax)],
  };
}

/** Runs the PostgreSQL scenarios, prints their table and verdicts, writes bench/results-postgres.json. Returns the exit code. */
export async function benchPostgres(o: PostgresBenchOptions): Promise<number> {
  const startedAt = new Date();
  const pin = cpuPinning();
  log(`\nbench (PostgreSQL): a fresh database through ${redact(o.postgresUrl)}, pool of ${o.poolMax} for the server and the baseline`);
  let database: Awaited<ReturnType<typeof createBenchDatabase>>;
  try {
    database = await createBenchDatabase(o.postgresUrl);
  } catch (err) {
    log(`MISS  PostgreSQL scenarios: no database (${err instanceof Error ? err.message : String(err)}); pass --postgres-url or BENCH_POSTGRES_URL`);
    return 1;
  }
  const fleet = createFleet();
  try {
    const servers: Record<string, BenchServer> = {
      'pg-baseline': await fleet.start(baselineOn(database.url, o)),
      'pg-server': await fleet.start(serverOn(database.url, o)),
    };
    let runs = 0;
    const nextIdBase = () => ++runs * 1_000_000_000;
    const load = (server: BenchServer, workload: Workload, seconds: number) =>
      runLoad(
        o.tool,
        { url: server.url, workload, connections: o.connections, durationSeconds: seconds, amount: 0, headers: o.target.headers },
        pin.load,
      );
    const measurements = await measureRounds({
      scenarios: SCENARIOS,
      servers,
      load,
      nextIdBase,
      rounds: o.rounds,
      warmupSeconds: o.warmupSeconds,
      durationSeconds: o.durationSeconds,
      labelWidth: 16,
      targetWidth: 11,
      log,
    });
    const summaries = summarise(SCENARIOS, measurements);
    const verdicts = SCENARIOS.map((scenario): Verdict => {
      const ratio = summaries.find((s) => s.id === scenario.id)?.medianRatio ?? Number.NaN;
      return { name: `PostgreSQL ${scenario.label} vs baseline`, goal: `≥ ${scenario.goal.toFixed(2)}×`, measured: `${ratio.toFixed(3)}×`, pass: ratio >= scenario.goal };
    });
    log('');
    log(`PostgreSQL: medians of ${o.rounds} interleaved rounds (ratio: median of the per-round ratios), ${o.connections} connections, ${o.tool}, pool ${o.poolMax}`);
    log(formatTable(summaries));
    log('');
    log(formatVerdicts(verdicts));
    const errors = measurements.filter((m) => m.statusErrors + m.socketErrors > 0);
    if (errors.length > 0) log(`WARNING: ${errors.length} measured PostgreSQL runs had errors; see bench/results-postgres.json`);
    mkdirSync(join(ROOT, 'bench'), { recursive: true });
    const resultsFile = join(ROOT, 'bench', 'results-postgres.json');
    writeFileSync(
      resultsFile,
      `${JSON.stringify({ startedAt: startedAt.toISOString(), seconds: (Date.now() - startedAt.getTime()) / 1000, poolMax: o.poolMax, cars: CARS, pinned: pin.pinned, summaries, verdicts, measurements }, null, 2)}\n`,
    );
    log(`wrote ${resultsFile}`);
    return 0;
  } finally {
    await fleet.stopAll();
    await database.drop();
  }
}

/** `--profile --only postgres`: CPU profiles of the server on a fresh PostgreSQL database. */
export async function profilePostgres(o: PostgresBenchOptions): Promise<number> {
  const database = await createBenchDatabase(o.postgresUrl);
  try {
    return await runProfiles({ ...o, server: (name, nodeFlags) => ({ ...serverOn(database.url, o, nodeFlags), name }) });
  } finally {
    await database.drop();
  }
}

/** The URL without its password, for printing. */
function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
