/** Routing compiled once at start-up from the spec's operations, so a request costs one lookup. */
import { methodNotAllowed, routeNotFound, validationFailed } from '../errors.js';

/** What the router needs of an operation. */
export interface RouteOperation {
  readonly operationId: string;
  readonly method: string;
  readonly path: string;
}

/** A matched request: the operation and its raw (string) path parameters; for OPTIONS, the methods allowed. */
export type RouteMatch<Op extends RouteOperation> =
  | { readonly operation: Op; readonly params: Record<string, string>; readonly allow?: undefined }
  | { readonly operation?: undefined; readonly allow: readonly string[] };

interface CompiledPath<Op> {
  readonly template: string;
  readonly segments: readonly (string | { param: string })[];
  readonly byMethod: ReadonlyMap<string, Op>;
  readonly allow: readonly string[];
}

/** Percent-decodes one path segment; a malformed escape is the client's error. */
function decodeSegment(part: string, param: string): string {
  if (!part.includes('%')) return part;
  try {
    return decodeURIComponent(part);
  } catch {
    throw validationFailed([{ pointer: `/path/${param}`, message: 'is not a valid percent-encoded segment' }]);
  }
}

/** The order methods are listed in `Allow`. */
const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** A function that maps a method and path to an operation, or throws a 404/405 problem. */
export type Router<Op extends RouteOperation> = (method: string, path: string) => RouteMatch<Op>;

/**
 * Compiles the operations into a matcher. A trailing slash is ignored (`/cars/` is `/cars`),
 * literal segments win over templated ones, HEAD is served wherever GET is, and OPTIONS
 * is answered for every path.
 */
export function compileRouter<Op extends RouteOperation>(operations: readonly Op[]): Router<Op> {
  const grouped = new Map<string, Map<string, Op>>();
  for (const op of operations) {
    const methods = grouped.get(op.path) ?? new Map<string, Op>();
    methods.set(op.method.toUpperCase(), op);
    grouped.set(op.path, methods);
  }

  const exact = new Map<string, CompiledPath<Op>>();
  const templated: CompiledPath<Op>[] = [];
  for (const [template, byMethod] of grouped) {
    const segments = template
      .split('/')
      .slice(1)
      .map((seg) => {
        const m = /^\{(.+)\}$/.exec(seg);
        return m?.[1] === undefined ? seg : { param: m[1] };
      });
    const allow = new Set(byMethod.keys());
    if (byMethod.has('GET')) allow.add('HEAD');
    allow.add('OPTIONS');
    const compiled: CompiledPath<Op> = { template, segments, byMethod, allow: METHOD_ORDER.filter((m) => allow.has(m)) };
    if (segments.every((s) => typeof s === 'string')) exact.set(template, compiled);
    else templated.push(compiled);
  }

  function find(path: string): { compiled: CompiledPath<Op>; params: Record<string, string> } | undefined {
    const hit = exact.get(path);
    if (hit) return { compiled: hit, params: {} };
    const parts = path.split('/').slice(1);
    outer: for (const compiled of templated) {
      if (compiled.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      for (let i = 0; i < parts.length; i++) {
        const seg = compiled.segments[i];
        const part = parts[i] as string;
        if (seg === undefined) continue outer;
        if (typeof seg === 'string') {
          if (seg !== part) continue outer;
        } else {
          if (part === '') continue outer;
          params[seg.param] = decodeSegment(part, seg.param);
        }
      }
      return { compiled, params };
    }
    return undefined;
  }

  return (method, rawPath) => {
    const path = rawPath.length > 1 && rawPath.endsWith('/') ? rawPath.slice(0, -1) : rawPath;
    const found = find(path);
    if (!found) throw routeNotFound(rawPath);
    const { compiled, params } = found;
    if (method === 'OPTIONS' && !compiled.byMethod.has('OPTIONS')) return { allow: compiled.allow };
    const operation = compiled.byMethod.get(method) ?? (method === 'HEAD' ? compiled.byMethod.get('GET') : undefined);
    if (!operation) throw methodNotAllowed(method, compiled.template, compiled.allow);
    return { operation, params };
  };
}
