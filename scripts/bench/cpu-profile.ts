/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time per function and per module,
 * and inclusive time per function, optionally within a time window. Also a CLI:
 * `node --import tsx scripts/bench/cpu-profile.ts <file.cpuprofile> [top]`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
/** The parts of a .cpuprofile read here. */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A line of the summary: a function or a module, with its time in ms and its share of busy time. */
export interface ProfileRow {
  name: string;
  module: string;
  ms: number;
  percent: number;
}

/** What a profile says, over its window. */
export interface ProfileSummary {
  windowMs: number;
  idleMs: number;
  busyMs: number;
  selfByFunction: ProfileRow[];
  selfByModule: ProfileRow[];
  inclusiveByFunction: ProfileRow[];
  /** Inclusive time of this repository's functions only: which of our layers costs what. */
  inclusiveByOwnFunction: ProfileRow[];
}

const ROOT_URL = pathToFileURL(fileURLToPath(new URL('../../', import.meta.url))).href;
const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

/** The module a script URL belongs to: an npm package, a node core area, or a file of this repo. */
function moduleOf(url: string): string | undefined {
  if (url === '') return undefined;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const [first, second] = url.slice(nm + '/node_modules/'.length).split('/');
    return first?.startsWith('@') ? `${first}/${second}` : (first ?? url);
  }
  if (url.startsWith('node:')) {
    const path = url.slice('node:'.length).replace(/^internal\//, '');
    const head = path.split('/')[0] ?? path;
    return `node:${head.startsWith('_http_') || head === 'http' ? 'http' : head}`;
  }
  if (url.startsWith(ROOT_URL)) return url.slice(ROOT_URL.length);
  return url;
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('/node_modules/');
  if (nm !== -1) return url.slice(nm + '/node_modules/'.length);
  return url.startsWith(ROOT_URL) ? url.slice(ROOT_URL.length) : url;
}

/** Summarises samples taken between `fromUs` and `toUs` (the profile's own clock: CLOCK_MONOTONIC µs). */
export function summariseProfile(profile: CpuProfile, window: { fromUs?: number; toUs?: number } = {}, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  // A node without a script (a builtin or native binding) is shown under the module that called it.
  const moduleCache = new Map<number, string>();
  const moduleOfNode = (id: number): string => {
    const cached = moduleCache.get(id);
    if (cached !== undefined) return cached;
    const node = byId.get(id);
    let result: string;
    if (!node) result = '?';
    else if (SPECIAL.has(node.callFrame.functionName)) result = node.callFrame.functionName;
    else if (node.callFrame.url === '' && /^validate\d*$/.test(node.callFrame.functionName)) result = 'ajv (compiled validators)';
    else {
      const own = moduleOf(node.callFrame.url);
      if (own !== undefined) result = own;
      else {
        const up = parent.get(id);
        const caller = up === undefined ? '(root)' : moduleOfNode(up);
        result = caller.startsWith('native ← ') ? caller : `native ← ${caller}`;
      }
    }
    moduleCache.set(id, result);
    return result;
  };
  const fnKey = (id: number): string => {
    const f = byId.get(id)?.callFrame;
    if (!f) return '?';
    const name = f.functionName || '(anonymous)';
    if (f.url === '') return name;
    // tsx strips the line breaks of the files it compiles, so line 1 says nothing there.
    return f.lineNumber === 0 ? `${name} ${shortUrl(f.url)}` : `${name} ${shortUrl(f.url)}:${f.lineNumber + 1}`;
  };

  const selfFn = new Map<string, { ms: number; module: string }>();
  const selfModule = new Map<string, number>();
  const inclusive = new Map<string, { ms: number; module: string }>();
  let t = profile.startTime;
  let windowMs = 0;
  let idleMs = 0;
  const { fromUs = -Infinity, toUs = Infinity } = window;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (t < fromUs || t > toUs) continue;
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const id = profile.samples[i] as number;
    const module = moduleOfNode(id);
    windowMs += ms;
    if (module === '(idle)') {
      idleMs += ms;
      continue;
    }
    const key = fnKey(id);
    const fn = selfFn.get(key) ?? { ms: 0, module };
    fn.ms += ms;
    selfFn.set(key, fn);
    selfModule.set(module, (selfModule.get(module) ?? 0) + ms);
    const seen = new Set<string>();
    for (let up: number | undefined = id; up !== undefined; up = parent.get(up)) {
      const k = fnKey(up);
      if (seen.has(k) || k === '(root)') continue;
      seen.add(k);
      const entry = inclusive.get(k) ?? { ms: 0, module: moduleOfNode(up) };
      entry.ms += ms;
      inclusive.set(k, entry);
    }
  }
  const busyMs = windowMs - idleMs;
  const rows = (entries: Iterable<[string, { ms: number; module: string }]>) =>
    [...entries]
      .map(([name, { ms, module }]) => ({ name, module, ms, percent: busyMs > 0 ? (100 * ms) / busyMs : 0 }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top);
  return {
    windowMs,
    idleMs,
    busyMs,
    selfByFunction: rows(selfFn),
    selfByModule: rows([...selfModule].map(([name, ms]) => [name, { ms, module: name }] as [string, { ms: number; module: string }])),
    inclusiveByFunction: rows(inclusive),
    inclusiveByOwnFunction: rows([...inclusive].filter(([, v]) => v.module.startsWith('src/'))),
  };
}

/** The summary as text. */
export function formatProfile(title: string, s: ProfileSummary): string {
  const lines = [
    `${title}: ${(s.windowMs / 1000).toFixed(1)} s sampled, ${((100 * s.busyMs) / Math.max(1, s.windowMs)).toFixed(0)}% busy; shares are of busy time`,
  ];
  const block = (heading: string, rows: ProfileRow[], withModule: boolean) => {
    lines.push(`  ${heading}`);
    for (const r of rows) {
      lines.push(`    ${r.percent.toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(6)} ms  ${r.name}${withModule ? `  [${r.module}]` : ''}`);
    }
  };
  block('self time by module', s.selfByModule, false);
  block('self time by function', s.selfByFunction, true);
  block('inclusive time by function', s.inclusiveByFunction, true);
  block('inclusive time by function of src/', s.inclusiveByOwnFunction, false);
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node --import tsx scripts/bench/cpu-profile.ts <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  process.stdout.write(`${formatProfile(file, summariseProfile(profile, {}, Number(process.argv[3] ?? 25)))}\n`);
}
