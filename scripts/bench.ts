/**
 * `npm run bench`: the real server (src/main.ts on SQLite) against a bare node:http baseline in the
 * same run, driven by wrk (or autocannon) from another process and core. Prints a table with
 * PASS/MISS per target and writes bench/results.json. `npm run bench -- --help` lists the options.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runLoad, type LoadResult, type LoadTool } from './bench/load.js';
import { cpuPinning, createFleet, hasCommand, ROOT, type BenchServer } from './bench/processes.js';
import { benchPostgres, profilePostgres } from './bench/postgres.js';
import { runProfiles } from './bench/profile.js';
import { formatTable, formatVerdicts, summarise, type Verdict } from './bench/report.js';
import { formatRun, measureRounds, type RoundScenario } from './bench/rounds.js';
import { cachedStore, seedStore } from './bench/seed.js';
import { buildServer, runStartupSection } from './bench/startup-section.js';
import { baselineServer, realServer, SQLITE_TARGETS, type TargetOptions } from './bench/targets.js';
import { describe, requestGenerator, type Workload } from './bench/workload.js';

const HELP = `Usage: npm run bench -- [options]

Measures the server against a bare node:http baseline (median of interleaved rounds) and the
RSS growth under mixed load, then prints PASS/MISS per target and writes bench/results.json.

  --rounds N            interleaved rounds (default 5)
  --duration S          seconds per measured run (default 5)
  --warmup S            seconds of warm-up per scenario and target (default 2)
  --connections N       concurrent connections (default 50)
  --load wrk|autocannon the load generator (default: wrk when installed, else autocannon)
  --long                5,000,000 mixed requests for the RSS check, in up to 30 minutes
                        (also BENCH_LONG=1)
  --soak-requests N     mixed requests for the RSS check (default 1,000,000, as the target
                        states; 5,000,000 with --long), after as many again of warm-up (at most
                        1,000,000): that many fill SQLite's page cache, which the POSTs grow
  --only LIST           comma-separated sections to run: startup, sqlite, postgres (default: all)
  --startup-runs N      starts of the compiled server measured for the start-up figures (default 5)
  --server-arg ARG      pass ARG to the server (repeatable), e.g. --server-arg=--rate-limit=...
  --profile             instead: CPU-profile the server under each --profile-scenarios load
  --profile-scenarios L comma-separated from get-id,list,put,post (default get-id,put)
  --profile-seconds S   seconds of load per profile (default 10)
                        with --profile, --only postgres profiles the server on PostgreSQL
  --postgres-url URL    where the PostgreSQL part creates (and drops) its database (default
                        BENCH_POSTGRES_URL, else postgres://postgres@127.0.0.1:5432/postgres)
  --pool-max N          the pool size of the PostgreSQL server and baseline (default 10)

Environment: BENCH_LONG=1 as --long; BENCH_API_KEY is sent as X-API-Key on every request.`;

/** The bench's settings. */
interface BenchOptions {
  rounds: number;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  tool: LoadTool;
  long: boolean;
  soakWarmupRequests: number;
  soakRequests: number;
  /** The whole run ends by this many seconds (a watchdog stops it 30 s later). */
  budgetSeconds: number;
  profile: boolean;
  profileScenarios: string[];
  profileSeconds: number;
  /** The sections to run (`--only`). */
  only: ReadonlySet<string>;
  startupRuns: number;
  postgresUrl: string;
  poolMax: number;
  target: TargetOptions;
}

/** The sections `--only` can pick. */
const SECTIONS = ['startup', 'sqlite', 'postgres'] as const;

const STORE_CARS = 10_000;
const SMALL_CARS = 1_000;
const BIG_CARS = 1_000_000;
const LIST_LIMIT = 20;

function parseOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      help: { type: 'boolean', short: 'h' },
      rounds: { type: 'string', default: '5' },
      duration: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '2' },
      connections: { type: 'string', default: '50' },
      load: { type: 'string' },
      long: { type: 'boolean', default: env.BENCH_LONG === '1' || env.BENCH_LONG === 'true' },
      'soak-requests': { type: 'string' },
      'server-arg': { type: 'string', multiple: true, default: [] },
      profile: { type: 'boolean', default: false },
      'profile-scenarios': { type: 'string', default: 'get-id,put' },
      'profile-seconds': { type: 'string', default: '10' },
      only: { type: 'string', default: SECTIONS.join(',') },
      'startup-runs': { type: 'string', default: '5' },
      'postgres-url': { type: 'string', default: env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
      'pool-max': { type: 'string', default: '10' },
    },
  });
  if (values.help) return 'help';
  const positive = (name: string, text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${text}"`);
    return n;
  };
  const wrk = hasCommand('wrk');
  const tool = (values.load ?? (wrk ? 'wrk' : 'autocannon')) as LoadTool;
  if (tool !== 'wrk' && tool !== 'autocannon') throw new Error(`--load must be wrk or autocannon, got "${String(tool)}"`);
  if (tool === 'wrk' && !wrk) throw new Error('--load wrk: wrk is not installed (apt-get install -y wrk)');
  const profileScenarios = values['profile-scenarios'].split(',').filter(Boolean);
  for (const s of profileScenarios) if (!['get-id', 'list', 'put', 'post'].includes(s)) throw new Error(`unknown profile scenario "${s}"`);
  const only = new Set(values.only.split(',').filter(Boolean));
  for (const section of only) if (!(SECTIONS as readonly string[]).includes(section)) throw new Error(`--only: unknown section "${section}" (${SECTIONS.join(', ')})`);
  const pin = cpuPinning();
  const long = values.long;
  const soakRequests = values['soak-requests'] ? positive('soak-requests', values['soak-requests']) : long ? 5_000_000 : 1_000_000;
  return {
    rounds: positive('rounds', values.rounds),
    durationSeconds: positive('duration', values.duration),
    warmupSeconds: positive('warmup', values.warmup),
    connections: positive('connections', values.connections),
    tool,
    long,
    soakWarmupRequests: Math.min(1_000_000, soakRequests),
    soakRequests,
    budgetSeconds: long ? 1800 : 570,
    profile: values.profile,
    profileScenarios,
    profileSeconds: positive('profile-seconds', values['profile-seconds']),
    only,
    startupRuns: positive('startup-runs', values['startup-runs']),
    postgresUrl: values['postgres-url'],
    poolMax: positive('pool-max', values['pool-max']),
    target: {
      pin: pin.server,
      serverArgs: values['server-arg'],
      headers: env.BENCH_API_KEY ? { 'X-API-Key': env.BENCH_API_KEY } : {},
    },
  };
}

type Scenario = RoundScenario;

const scenario = (id: string, targets: readonly [string, string], workload: (idBase: number) => Workload): Scenario => ({
  id,
  label: describe(workload(0)),
  targets,
  ratioLabel: 'of baseline',
  workload,
});

const SCENARIOS: readonly Scenario[] = [
  scenario('get-id', ['baseline', 'server'], () => ({ kind: 'get-id', maxId: STORE_CARS })),
  scenario('list', ['baseline', 'server'], () => ({ kind: 'list', limit: LIST_LIMIT })),
  scenario('put', ['baseline', 'server'], () => ({ kind: 'put', maxId: STORE_CARS })),
  scenario('post', ['baseline', 'server'], (idBase) => ({ kind: 'post', idBase })),
  {
    ...scenario('list-scale', ['server-1k', 'server-1M'], () => ({ kind: 'list', limit: LIST_LIMIT })),
    label: `GET /cars?limit=${LIST_LIMIT}, 1M vs 1k cars`,
    ratioLabel: 'of 1k store',
  },
];

const log = (line: string) => process.stdout.write(`${line}\n`);
/** Node flags for the soak server: a full GC on SIGUSR2, so RSS is read at what it retains. */
const GC_ON_SIGNAL = ['--expose-gc', '--import', './scripts/bench/gc-on-signal.mjs'];

async function bench(o: BenchOptions): Promise<number> {
  const startedAt = new Date();
  const deadline = Date.now() + o.budgetSeconds * 1000;
  const fleet = createFleet();
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench: over its ${o.budgetSeconds} s budget; stopping\n`);
    fleet.killAll();
    process.exit(1);
  }, (o.budgetSeconds + 30) * 1000);
  watchdog.unref();
  process.once('SIGINT', () => {
    fleet.killAll();
    process.exit(130);
  });
  const pin = cpuPinning();
  const loadAvgBefore = loadavg();
  log(
    `bench: ${o.tool}, ${o.connections} connections, ${o.rounds} rounds of ${o.durationSeconds} s, ` +
      `${pin.pinned ? 'servers on CPU 0 and load on CPU 1 (taskset)' : 'no CPU pinning (taskset or a 2nd CPU missing)'}; ` +
      `load average ${loadAvgBefore.map((l) => l.toFixed(2)).join(' ')}`,
  );
  if (o.tool === 'autocannon') log('bench: wrk not found; autocannon (one JS thread) may saturate before the baseline does, which lifts the ratios, and it rounds latencies to whole ms');

  const storesDir = join(ROOT, 'bench', 'stores');
  mkdirSync(storesDir, { recursive: true });
  const seedStarted = performance.now();
  const mainFile = join(storesDir, `cars-${STORE_CARS}.db`);
  const smallFile = join(storesDir, `cars-${SMALL_CARS}.db`);
  const soakFile = join(storesDir, `cars-${STORE_CARS}-soak.db`);
  await seedStore(mainFile, STORE_CARS);
  await seedStore(smallFile, SMALL_CARS);
  await seedStore(soakFile, STORE_CARS);
  const seedSmallSeconds = (performance.now() - seedStarted) / 1000;
  const big = await cachedStore(storesDir, BIG_CARS);
  log(
    `seeded 2×${STORE_CARS.toLocaleString('en-US')} + ${SMALL_CARS.toLocaleString('en-US')} cars in ${seedSmallSeconds.toFixed(1)} s; ` +
      `1M store ${big.seeded ? `seeded in ${big.seconds.toFixed(1)} s` : 'from cache'}: ${big.file}`,
  );

  try {
    const servers: Record<string, BenchServer> = {
      baseline: await fleet.start(baselineServer(STORE_CARS, o.target)),
      server: await fleet.start(realServer('server', mainFile, o.target)),
      'server-1k': await fleet.start(realServer('server-1k', smallFile, o.target)),
      'server-1M': await fleet.start(realServer('server-1M', big.file, o.target)),
    };
    let runs = 0;
    // Every run gets its own range of POST ids, so no POST ever hits an existing car.
    const nextIdBase = () => ++runs * 1_000_000_000;
    const load = (server: BenchServer, workload: Workload, seconds: number, amount = 0) =>
      runLoad(
        o.tool,
        { url: server.url, workload, connections: o.connections, durationSeconds: seconds, amount, headers: o.target.headers },
        pin.load,
      );

    // One request of each kind first: a 401 or 429 here means the server needs --server-arg or BENCH_API_KEY.
    for (const scenario of SCENARIOS) {
      for (const target of scenario.targets) {
        await smoke(servers[target] as BenchServer, scenario.workload(nextIdBase()), o.target.headers);
      }
    }
    const measurements = await measureRounds({
      scenarios: SCENARIOS,
      servers,
      load,
      nextIdBase,
      rounds: o.rounds,
      warmupSeconds: o.warmupSeconds,
      durationSeconds: o.durationSeconds,
      labelWidth: 36,
      targetWidth: 9,
      log,
    });
    for (const name of Object.keys(servers)) await servers[name]?.stop();

    // RSS after N mixed requests against RSS after a warm-up, on a server of its own. The warm-up
    // is as long as the soak (up to 1M requests): RSS rises until SQLite's page cache (16 MiB by
    // better-sqlite3's default) is full of the pages the POSTs add, and only then is it a baseline
    // that growth can be measured from. Each RSS is taken right after a full garbage collection:
    // between two major collections V8 lets dead objects pile up in the old generation (its heap
    // went from 67 to 101 MB and back to 50 MB in one soak), which moved a bare reading by ±15 %.
    // The soak runs in quarters, each with its RSS, so a steady climb (a leak) would show.
    const soakServer = await fleet.start(realServer('server-soak', soakFile, o.target, GC_ON_SIGNAL));
    const retainedRssKiB = async () => {
      await soakServer.collectGarbage();
      return soakServer.rssKiB();
    };
    const mixed = (): Workload => ({ kind: 'mixed', maxId: STORE_CARS, limit: LIST_LIMIT, idBase: nextIdBase() });
    const secondsLeft = () => Math.max(10, Math.floor((deadline - Date.now()) / 1000) - 20);
    // The warm-up may take half of what is left; the soak gets the rest.
    const warmCapSeconds = Math.max(10, Math.floor(secondsLeft() / 2));
    const warm = await load(soakServer, mixed(), warmCapSeconds, o.soakWarmupRequests);
    const rssAfterWarmup = await retainedRssKiB();
    log(
      `soak     warm-up ${warm.requests.toLocaleString('en-US')} mixed requests ${formatRun(warm)}  RSS after a full GC ${mib(rssAfterWarmup)} MiB` +
        (warm.requests < o.soakWarmupRequests ? `; cut short at ${warmCapSeconds} s to stay in the time budget` : ''),
    );
    const quarters: LoadResult[] = [];
    const rssByQuarter: (number | undefined)[] = [];
    let soakRequestsDone = 0;
    for (let quarter = 1; quarter <= 4 && soakRequestsDone < o.soakRequests; quarter++) {
      const amount = Math.ceil((o.soakRequests * quarter) / 4) - soakRequestsDone;
      const capSeconds = Math.max(5, Math.floor(secondsLeft() / (5 - quarter)));
      const r = await load(soakServer, mixed(), capSeconds, amount);
      soakRequestsDone += r.requests;
      quarters.push(r);
      rssByQuarter.push(await retainedRssKiB());
      log(
        `soak     ${soakRequestsDone.toLocaleString('en-US').padStart(9)} mixed requests ${formatRun(r)}  RSS after a full GC ${mib(rssByQuarter.at(-1))} MiB` +
          (r.requests < amount ? `; cut short at ${capSeconds} s to stay in the time budget` : ''),
      );
    }
    const rssAfterSoak = rssByQuarter.at(-1);
    await soakServer.stop();
    const growth = rssAfterWarmup && rssAfterSoak ? rssAfterSoak / rssAfterWarmup - 1 : Number.NaN;
    log(`soak     RSS ${(100 * growth).toFixed(1)}% over the warm-up after ${soakRequestsDone.toLocaleString('en-US')} requests`);

    const summaries = summarise(SCENARIOS, measurements);
    const ratioOf = (id: string) => summaries.find((s) => s.id === id)?.medianRatio ?? Number.NaN;
    const serverOf = (id: string) => summaries.find((s) => s.id === id)?.targets.find((t) => t.target === 'server');
    const verdicts: Verdict[] = [
      {
        name: 'GET /cars/{id} vs baseline',
        goal: `≥ ${SQLITE_TARGETS.getIdRatio}×`,
        measured: `${ratioOf('get-id').toFixed(3)}×`,
        pass: ratioOf('get-id') >= SQLITE_TARGETS.getIdRatio,
      },
      { name: 'PUT /cars/{id} vs baseline', goal: `≥ ${SQLITE_TARGETS.putRatio}×`, measured: `${ratioOf('put').toFixed(3)}×`, pass: ratioOf('put') >= SQLITE_TARGETS.putRatio },
      ...['get-id', 'list', 'put', 'post'].map((id): Verdict => {
        const p99 = serverOf(id)?.p99Ms ?? Number.NaN;
        const label = SCENARIOS.find((s) => s.id === id)?.label ?? id;
        return { name: `p99 ${label}`, goal: `≤ ${SQLITE_TARGETS.p99Ms} ms`, measured: `${p99.toFixed(2)} ms`, pass: p99 <= SQLITE_TARGETS.p99Ms };
      }),
      {
        name: `GET /cars?limit=${LIST_LIMIT} 1M vs 1k`,
        goal: 'slowdown ≤ 1.5×',
        measured: `slowdown ${(1 / ratioOf('list-scale')).toFixed(2)}× (1M at ${ratioOf('list-scale').toFixed(2)}× the 1k req/s)`,
        pass: 1 / ratioOf('list-scale') <= 1.5,
      },
      {
        name: `RSS growth, ${soakRequestsDone.toLocaleString('en-US')} mixed requests`,
        goal: '< 10%',
        measured:
          `${(100 * growth).toFixed(1)}% (${mib(rssAfterWarmup)} → ${mib(rssAfterSoak)} MiB)` +
          (soakRequestsDone < o.soakRequests ? `, cut short of ${o.soakRequests.toLocaleString('en-US')}` : ''),
        // A soak cut short by the time budget has not shown the growth the target asks about.
        pass: growth < 0.1 && soakRequestsDone >= o.soakRequests,
      },
    ];
    const loadAvgAfter = loadavg();
    log('');
    log(`Medians of ${o.rounds} interleaved rounds (ratio: median of the per-round ratios), ${o.connections} connections, ${o.tool}`);
    log('CPU ratio: the first target\'s server CPU µs per request over the second\'s, which other load on the machine moves less than req/s');
    log(formatTable(summaries));
    log('');
    log(formatVerdicts(verdicts));
    log(
      `\nload average before ${loadAvgBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadAvgAfter.map((l) => l.toFixed(2)).join(' ')} ` +
        `on ${availableParallelism()} CPUs: other work on the machine moves absolute numbers; the same-round ratios move less.`,
    );
    const errors = measurements.filter((m) => m.statusErrors + m.socketErrors > 0);
    if (errors.length > 0) log(`WARNING: ${errors.length} measured runs had errors; see bench/results.json`);

    const resultsFile = join(ROOT, 'bench', 'results.json');
    writeFileSync(
      resultsFile,
      `${JSON.stringify(
        {
          startedAt: startedAt.toISOString(),
          seconds: (Date.now() - startedAt.getTime()) / 1000,
          machine: { cpus: availableParallelism(), cpuModel: cpus()[0]?.model, node: process.version, loadAvgBefore, loadAvgAfter },
          options: { ...o, target: { ...o.target, headers: Object.keys(o.target.headers) } },
          pinned: pin.pinned,
          stores: { main: STORE_CARS, small: SMALL_CARS, big: BIG_CARS, bigFile: big.file, bigSeeded: big.seeded, bigSeedSeconds: big.seconds },
          summaries,
          verdicts,
          rss: { warmupRequests: warm.requests, rssAfterWarmupKiB: rssAfterWarmup, requests: soakRequestsDone, rssAfterKiB: rssAfterSoak, growth, warm, quarters, rssByQuarterKiB: rssByQuarter },
          measurements,
        },
        null,
        2,
      )}\n`,
    );
    log(`wrote ${resultsFile}`);
    return 0;
  } finally {
    await fleet.stopAll();
    clearTimeout(watchdog);
  }
}

const mib = (kib: number | undefined) => (kib === undefined ? '?' : (kib / 1024).toFixed(1));

/** Sends one request of the workload and insists on a 2xx, with the answer in the error. */
async function smoke(server: BenchServer, workload: Workload, headers: Record<string, string>): Promise<void> {
  const { method, path, body } = requestGenerator(workload)();
  const res = await fetch(server.url + path, {
    method,
    headers: body === undefined ? headers : { ...headers, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  if (!res.ok) {
    throw new Error(
      `${server.name}: ${method} ${path} answered ${res.status}: ${text.slice(0, 300)}\n` +
        'If the server needs an API key or has a rate limit, pass BENCH_API_KEY or --server-arg (see --help).',
    );
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), process.env);
  if (options === 'help') {
    log(HELP);
    return;
  }
  // Every section runs the compiled server, built here from the current sources.
  buildServer();
  if (options.profile) process.exit(options.only.has('postgres') && !options.only.has('sqlite') ? await profilePostgres(options) : await runProfiles(options));
  let code = 0;
  if (options.only.has('startup')) code = Math.max(code, await runStartupSection(options, log));
  if (options.only.has('sqlite')) code = Math.max(code, await bench(options));
  if (options.only.has('postgres')) code = Math.max(code, await benchPostgres(options));
  process.exit(code);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
