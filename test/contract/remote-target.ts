/**
 * A deployed instance as the target of a contract (or fuzz) run: checks within seconds that it
 * answers, serves this spec and takes the key, reserves car ids it proved free, and deletes the
 * cars it created when the run ends.
 */
import { randomInt } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { loadSpec } from '../../src/spec.js';

/** Why a run cannot start against a target; the command prints its message as one line and exits 2. */
export class TargetError extends Error {}

/** What the Dredd hooks (and the fuzz tests) know about the target, as the JSON in CONTRACT_TARGET. */
export interface HookTarget {
  remote: boolean;
  readOnly: boolean;
  /** The target answers 401 without credentials. */
  authRequired: boolean;
  /** The target answers unconditional writes to existing cars with 428 (REQUIRE_IF_MATCH). */
  requiresIfMatch: boolean;
  /**
   * The real ids of the hooks' logical cars: `1` and `2` exist when a row needs them, `unknown`
   * never does. A write run reserves all three; a --read-only run reads existing cars for 1 and 2.
   */
  ids: { 1?: number; 2?: number; unknown?: number };
  /** How many requests a 429 row may send to find the rate limit (0 locally, where it is known). */
  rateLimitProbe: number;
}

/** How to reach the target. */
export interface RemoteTargetOptions {
  url: string;
  /** Sent in X-API-Key; needed when the target requires authentication. */
  apiKey?: string;
  /** Send only GET, HEAD and OPTIONS. */
  readOnly?: boolean;
  /** Reserve ids from here (base, base+1, base+2) instead of a random base. */
  idBase?: number;
  /** How many ids to reserve (3 for the contract run's logical cars). */
  idCount?: number;
  /** Each preflight request gives up after this long (default 5 s). */
  requestTimeoutMs?: number;
  /** See {@link HookTarget.rateLimitProbe} (default 10). */
  rateLimitProbe?: number;
  /** Told the reserved ids as soon as they are, before the first write to them (for a forced exit's message). */
  onReserved?: (origin: string, ids: readonly number[]) => void;
}

/** A checked target. */
export interface RemoteTarget {
  /** The URL's origin, without a trailing slash. */
  readonly url: string;
  readonly hookTarget: HookTarget;
  /** The ids this run may write (empty for --read-only). */
  readonly reserved: readonly number[];
  /** Deletes every reserved id that holds a car (the run created it); returns what could not be deleted. */
  cleanup(): Promise<string[]>;
}

const RANDOM_TRIES = 5;
/** Random reserved ranges start in [2^40, 2^40 + 2^47): far from hand-picked ids (randomInt spans at most 2^48). */
const RANDOM_BASE = [2 ** 40, 2 ** 40 + 2 ** 47] as const;

/** Checks the target, in this order: a URL, reachable, serving this spec, taking the key; then reserves ids. */
export async function openRemoteTarget(options: RemoteTargetOptions): Promise<RemoteTarget> {
  const { apiKey, readOnly = false, idCount = 3, requestTimeoutMs = 5_000, rateLimitProbe = 10 } = options;
  const origin = parseTargetUrl(options.url);
  const send = sender(origin, requestTimeoutMs);
  const withKey = (headers: Record<string, string> = {}) => (apiKey ? { 'X-API-Key': apiKey, ...headers } : headers);

  await checkServedSpec(send, origin);

  const anonymous = await send('GET', '/cars?limit=2');
  if (anonymous.status === 404) throw new TargetError(`${origin} does not serve this API: GET /cars answered 404`);
  if (![200, 401].includes(anonymous.status)) throw new TargetError(`${origin}: GET /cars answered ${anonymous.status}, expected 200 or 401`);
  const authRequired = anonymous.status === 401;
  if (authRequired && !apiKey) throw new TargetError(`${origin} requires an API key: pass --api-key or set CARS_API_KEY`);
  const listed = apiKey ? await send('GET', '/cars?limit=2', { headers: withKey() }) : anonymous;
  if (listed.status === 401) throw new TargetError(`${origin} refused the API key: GET /cars answered 401`);
  if (listed.status === 403) throw new TargetError(`the API key may not read cars on ${origin} (403): it needs cars:read`);
  if (listed.status !== 200 || !Array.isArray(listed.json)) throw new TargetError(`${origin}: GET /cars answered ${listed.status}, expected 200 with a list`);

  const hookTarget: HookTarget = { remote: true, readOnly, authRequired, requiresIfMatch: false, ids: {}, rateLimitProbe };
  const carExists = async (id: number) => {
    const res = await send('GET', `/cars/${id}`, { headers: withKey() });
    if (![200, 404].includes(res.status)) throw new TargetError(`${origin}: GET /cars/${id} answered ${res.status}, expected 200 or 404`);
    return res.status === 200 ? res : undefined;
  };

  if (readOnly) {
    const [first, second] = (listed.json as { id: number }[]).map((car) => car.id);
    hookTarget.ids = { ...(first !== undefined && { 1: first }), ...(second !== undefined && { 2: second }) };
    for (let i = 0; i < RANDOM_TRIES && hookTarget.ids.unknown === undefined; i++) {
      const id = randomInt(...RANDOM_BASE);
      if (!(await carExists(id))) hookTarget.ids.unknown = id;
    }
    return { url: origin, hookTarget, reserved: [], cleanup: async () => [] };
  }

  const reserved = await reserveIds(options.idBase, idCount, carExists);
  options.onReserved?.(origin, reserved);
  const target: RemoteTarget = {
    url: origin,
    hookTarget,
    reserved,
    async cleanup() {
      const left: string[] = [];
      for (const id of reserved) {
        try {
          await deleteOwnCar(id);
        } catch (err) {
          left.push(`car ${id}: ${(err as Error).message}`);
        }
      }
      return left;
    },
  };
  const [a = 0, b = a, c = b] = reserved;
  hookTarget.ids = { 1: a, 2: b, unknown: c };

  /** Deletes car `id` if it exists, with its ETag (so that a target requiring If-Match accepts it). */
  async function deleteOwnCar(id: number): Promise<void> {
    const found = await carExists(id);
    if (!found) return;
    const etag = found.headers.get('etag');
    const res = await send('DELETE', `/cars/${id}`, { headers: withKey(etag ? { 'If-Match': etag } : {}) });
    if (![204, 404].includes(res.status)) throw new Error(`DELETE answered ${res.status}`);
  }

  try {
    // Create the first reserved car, only if it is still free; then an unconditional write to it
    // shows whether the target requires If-Match (428) or not (200).
    const car = { id: a, model: 'contract-run', color: 'probe' };
    const created = await send('PUT', `/cars/${a}`, { headers: withKey({ 'If-None-Match': '*' }), json: car });
    if (created.status === 403) throw new TargetError(`the API key may not write cars on ${origin} (403): pass --read-only, or a key with cars:write`);
    if (created.status !== 201) throw new TargetError(`${origin}: creating car ${a} (PUT with If-None-Match: *) answered ${created.status}, expected 201`);
    const again = await send('PUT', `/cars/${a}`, { headers: withKey(), json: car });
    if (![200, 428].includes(again.status)) throw new TargetError(`${origin}: an unconditional PUT /cars/${a} answered ${again.status}, expected 200 or 428`);
    hookTarget.requiresIfMatch = again.status === 428;
    await deleteOwnCar(a);
  } catch (err) {
    await target.cleanup();
    throw err;
  }
  return target;
}

/** The origin of an absolute http(s) URL at its root; anything else is a {@link TargetError}. */
export function parseTargetUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TargetError(`--url "${text}" is not a URL; give one like https://staging.example.com`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TargetError(`--url "${text}" is not an http or https URL`);
  if (url.pathname !== '/' || url.search || url.hash) {
    throw new TargetError(`--url "${text}" has a path; give the server's root, such as ${url.origin}`);
  }
  return url.origin;
}

interface Sent {
  status: number;
  headers: Headers;
  json: unknown;
}
type Send = (method: string, path: string, init?: { headers?: Record<string, string>; json?: unknown }) => Promise<Sent>;

/** Requests to the target that give up after `timeoutMs`; a failure to connect is a {@link TargetError}. */
function sender(origin: string, timeoutMs: number): Send {
  return async (method, path, { headers = {}, json } = {}) => {
    let res: Response;
    try {
      res = await fetch(origin + path, {
        method,
        headers: { ...headers, ...(json !== undefined && { 'Content-Type': 'application/json' }) },
        ...(json !== undefined && { body: JSON.stringify(json) }),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'manual',
      });
    } catch (err) {
      throw new TargetError(`cannot reach ${origin}: ${describeFetchError(err, timeoutMs)}`);
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: res.status, headers: res.headers, json: body };
  };
}

/** `ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:9)`, `no answer within 5 s`, … from what fetch threw. */
function describeFetchError(err: unknown, timeoutMs: number): string {
  const error = err as Error & { cause?: { code?: string; message?: string } };
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`;
  const cause = error.cause;
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  return cause?.message ?? error.message;
}

/** When the target serves /openapi.json, it must be this repository's spec. */
async function checkServedSpec(send: Send, origin: string): Promise<void> {
  const served = await send('GET', '/openapi.json');
  if (served.status !== 200 || served.json === undefined) return;
  const where = firstDifference(served.json, loadSpec());
  if (where !== undefined) {
    throw new TargetError(`${origin} serves another API: its /openapi.json differs from spec/cars.openapi.yaml at ${where || '/'}`);
  }
}

/** The JSON Pointer of the first place where `a` and `b` differ, or undefined when they are equal. */
export function firstDifference(a: unknown, b: unknown, pointer = ''): string | undefined {
  if (isDeepStrictEqual(a, b)) return undefined;
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      const next = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      const found = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], next);
      if (found !== undefined) return found;
    }
  }
  return pointer;
}

/** Finds `count` consecutive ids that hold no car: from `base`, or from random bases. */
async function reserveIds(base: number | undefined, count: number, exists: (id: number) => Promise<unknown>): Promise<number[]> {
  const bases = base === undefined ? Array.from({ length: RANDOM_TRIES }, () => randomInt(...RANDOM_BASE)) : [base];
  let taken = 0;
  for (const start of bases) {
    const ids = Array.from({ length: count }, (_, i) => start + i);
    taken = 0;
    for (const id of ids) if (await exists(id)) taken = id;
    if (taken === 0) return ids;
  }
  if (base !== undefined) {
    throw new TargetError(`no free id range: car ${taken} exists in ${base}..${base + count - 1}; pass another --id-base`);
  }
  throw new TargetError(`no free id range: ${RANDOM_TRIES} random ranges of ${count} ids each held a car`);
}
