/**
 * Where the fuzz tests send requests: a server of their own, or the deployed instance that
 * `npm run fuzz -- --url …` checked and reserved car ids on (FUZZ_TARGET). Against an instance,
 * every request carries the key, and writes go only to the reserved ids.
 */
import { startServer, request, type Answer, type RequestOptions } from '../support/server.js';
import fc from 'fast-check';
import { curl, type HttpRequest } from './curl.js';

/** The JSON in FUZZ_TARGET, written by scripts/fuzz.ts. */
export interface FuzzTargetConfig {
  url: string;
  apiKey?: string;
  readOnly: boolean;
  /** The target answers unconditional writes to existing cars with 428. */
  requiresIfMatch: boolean;
  /** The car ids the run may write: free when the run started, deleted when it ends. */
  reserved: number[];
}

/** The variable scripts/fuzz.ts passes the target in. */
export const FUZZ_TARGET_ENV = 'FUZZ_TARGET';

/** A server the fuzz tests can send requests to. */
export interface FuzzTarget {
  readonly remote: boolean;
  readonly readOnly: boolean;
  readonly requiresIfMatch: boolean;
  /** The ids the tests may write against an instance; undefined for a server of their own (any id). */
  readonly reserved?: readonly number[];
  /** Sends one request and checks the answer against the spec. */
  request(method: string, path: string, options?: RequestOptions): Promise<Answer>;
  close(): Promise<void>;
}

/** The target named by FUZZ_TARGET, read without touching the network (for `skip` decisions). */
export function fuzzTargetConfig(env: NodeJS.ProcessEnv = process.env): FuzzTargetConfig | undefined {
  const text = env[FUZZ_TARGET_ENV];
  return text ? (JSON.parse(text) as FuzzTargetConfig) : undefined;
}

/** Opens the target: the FUZZ_TARGET instance, or else the real app on a loopback port over a fresh store. */
export async function openFuzzTarget(env: NodeJS.ProcessEnv = process.env): Promise<FuzzTarget> {
  const config = fuzzTargetConfig(env);
  if (!config) {
    const server = await startServer();
    return { remote: false, readOnly: false, requiresIfMatch: false, request: server.request, close: server.close };
  }
  const { url, apiKey, readOnly, requiresIfMatch, reserved } = config;
  return {
    remote: true,
    readOnly,
    requiresIfMatch,
    reserved,
    request(method, path, options = {}) {
      guardWrite(config, method, path, options);
      const headers = { ...(apiKey && { 'X-API-Key': apiKey }), ...options.headers };
      return request(url, method, path, { ...options, headers });
    },
    close: async () => {},
  };
}

/**
 * Maps a generated request onto the reserved ids: a car id in the path or an `id` member of a JSON
 * body that the server would take as an id (an integer from 1 to 2^53 - 1) becomes a reserved id
 * (the same one for the same id, so the two stay equal); a POST body without one gets one, so that
 * no server-assigned car is left behind. Anything else is invalid and refused before the store.
 */
export function confine<T extends HttpRequest>(target: Pick<FuzzTarget, 'reserved'>, req: T): T {
  const reserved = target.reserved;
  if (!reserved || reserved.length === 0) return req;
  const map = (id: number) => reserved[id % reserved.length] as number;
  const [pathname = '', query] = req.path.split('?');
  const path = pathname.replace(/^\/cars\/([^/]+)$/, (whole, segment: string) => {
    const id = idValue(decodeURIComponent(segment));
    return id === undefined ? whole : `/cars/${map(id)}`;
  });
  let body = req.body;
  if (body !== undefined && req.method !== 'GET') {
    const value = parseObject(body);
    if (value) {
      // Bodies are not coerced (only path and query are): a string id is refused, and stays as it is.
      const id = typeof value.id === 'number' ? idValue(value.id) : undefined;
      if (id !== undefined) body = JSON.stringify({ ...value, id: map(id) });
      else if (req.method === 'POST' && !('id' in value)) body = JSON.stringify({ ...value, id: map(0) });
    }
  }
  const confined: T = { ...req, path: query === undefined ? path : `${path}?${query}`, ...(body !== undefined && { body }) };
  // fast-check prints a request as the curl that reproduces it: the request really sent.
  if (fc.toStringMethod in req) Object.assign(confined, { [fc.toStringMethod]: () => curl(confined) });
  return confined;
}

/**
 * A car id as the server reads it: a whole number in 1..2^53 - 1, given as a number or, in a
 * path, as decimal digits (leading zeros included). The server answers 400 to any other spelling
 * (`7.0`, `7e0`, `+7`, ` 7`), so those stay as generated, as invalid as they were.
 */
function idValue(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n >= 1 ? n : undefined;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Refuses a request that could change a car the run did not reserve (a test bug, not a finding). */
function guardWrite(config: FuzzTargetConfig, method: string, path: string, options: RequestOptions): void {
  if (['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase())) return;
  if (config.readOnly) throw new Error(`refused to send ${method} ${path}: --read-only sends only GET, HEAD and OPTIONS`);
  const pathname = path.split('?')[0] ?? '';
  const item = /^\/cars\/([^/]+)$/.exec(pathname);
  const pathId = item ? idValue(decodeURIComponent(item[1] ?? '')) : undefined;
  if (pathId !== undefined && !config.reserved.includes(pathId)) {
    throw new Error(`refused to send ${method} ${path}: car ${pathId} is not one this run reserved`);
  }
  if (/^\/cars\/?$/.test(pathname) && method.toUpperCase() === 'POST') {
    const text = options.json !== undefined ? JSON.stringify(options.json) : typeof options.body === 'string' ? options.body : undefined;
    const value = text === undefined ? undefined : parseObject(text);
    const id = typeof value?.id === 'number' ? idValue(value.id) : undefined;
    // No id: the server would assign one; an id that is no id at all is refused before the store.
    if (value && ((id !== undefined && !config.reserved.includes(id)) || !('id' in value))) {
      throw new Error(`refused to send POST ${path}: its body names no id this run reserved`);
    }
  }
}
