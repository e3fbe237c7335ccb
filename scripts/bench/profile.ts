/**
 * `npm run bench -- --profile`: the real server under `node --cpu-prof`, one server per workload,
 * and a summary of the samples taken while the measured load ran (start-up and warm-up left out).
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatProfile, summariseProfile, type CpuProfile } from './cpu-profile.js';
import { runLoad, type LoadTool } from './load.js';
import { cpuPinning, createFleet, ROOT, type ServerSpec } from './processes.js';
import { seedStore } from './seed.js';
import { realServer, type TargetOptions } from './targets.js';
import { describe, type Workload } from './workload.js';

/** What profiling needs of the bench's options. */
export interface ProfileOptions {
  tool: LoadTool;
  connections: number;
  warmupSeconds: number;
  profileSeconds: number;
  profileScenarios: readonly string[];
  target: TargetOptions;
  /** The server to profile; by default the real server on a freshly seeded SQLite file. */
  server?: (name: string, nodeFlags: readonly string[]) => ServerSpec;
}

const CARS = 10_000;

function workloadFor(scenario: string, idBase: number): Workload {
  switch (scenario) {
    case 'get-id':
      return { kind: 'get-id', maxId: CARS };
    case 'list':
      return { kind: 'list', limit: 20 };
    case 'put':
      return { kind: 'put', maxId: CARS };
    default:
      return { kind: 'post', idBase };
  }
}

// The profile's timestamps are CLOCK_MONOTONIC microseconds, the clock of process.hrtime.
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/** Profiles each scenario; prints and writes the summaries to bench/profiles/. Returns the exit code. */
export async function runProfiles(o: ProfileOptions): Promise<number> {
  const dir = join(ROOT, 'bench', 'profiles');
  mkdirSync(dir, { recursive: true });
  const pin = cpuPinning();
  const fleet = createFleet();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  try {
    let runs = 0;
    for (const scenario of o.profileScenarios) {
      const file = join(ROOT, 'bench', 'stores', `cars-${CARS}-profile.db`);
      if (!o.server) await seedStore(file, CARS);
      // One directory per run: node writes a profile per thread (the tsx loader has its own), so
      // a fixed --cpu-prof-name would let the loader's overwrite the main thread's.
      const runDir = join(dir, `${stamp}-${scenario}`);
      mkdirSync(runDir, { recursive: true });
      const serverName = `server-profile-${scenario}`;
      const flags = ['--cpu-prof', `--cpu-prof-dir=${runDir}`];
      const server = await fleet.start(o.server ? o.server(serverName, flags) : realServer(serverName, file, o.target, flags));
      const load = (seconds: number) =>
        runLoad(
          o.tool,
          {
            url: server.url,
            workload: workloadFor(scenario, ++runs * 1_000_000_000),
            connections: o.connections,
            durationSeconds: seconds,
            amount: 0,
            headers: o.target.headers,
          },
          pin.load,
        );
      await load(o.warmupSeconds);
      const fromUs = nowUs();
      const result = await load(o.profileSeconds);
      const toUs = nowUs();
      await server.stop();
      // Default names are CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile; the main thread is 0.
      const name = readdirSync(runDir).find((f) => f.includes(`.${server.pid}.0.`) && f.endsWith('.cpuprofile'));
      if (name === undefined) throw new Error(`no main-thread profile for pid ${server.pid} in ${runDir}`);
      const profile = JSON.parse(readFileSync(join(runDir, name), 'utf8')) as CpuProfile;
      if (profile.startTime > fromUs || profile.endTime < toUs) {
        process.stdout.write(`note: the profile's clock does not cover the load window; summarising the whole profile\n`);
      }
      const window = profile.startTime <= fromUs && profile.endTime >= toUs ? { fromUs, toUs } : {};
      const summary = summariseProfile(profile, window, 25);
      const title =
        `${describe(workloadFor(scenario, 0))} under --cpu-prof: ${Math.round(result.rps).toLocaleString('en-US')} req/s, ` +
        `p99 ${result.p99Ms.toFixed(2)} ms (${join(runDir, name).slice(ROOT.length)})`;
      const text = formatProfile(title, summary);
      process.stdout.write(`${text}\n\n`);
      writeFileSync(join(runDir, 'summary.txt'), `${text}\n`);
      writeFileSync(join(runDir, 'summary.json'), `${JSON.stringify({ scenario, profile: name, result, summary }, null, 2)}\n`);
    }
    return 0;
  } finally {
    await fleet.stopAll();
  }
}
