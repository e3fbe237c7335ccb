/**
 * Media type names, paired as oasdiff pairs them (diff/content_diff.go, diff/media_type_name.go):
 * a media type removed on one side and an equivalent one added on the other are the same entry
 * renamed, so `application/json` → `application/json; charset=utf-8` is compared schema to
 * schema rather than reported as one removed and one added.
 */

/** A parsed media type name (RFC 6838): type, subtype, structured-syntax suffix and parameters. */
interface MediaTypeName {
  readonly type: string;
  readonly subtype: string;
  /** The suffix after `+` (`json` in `application/problem+json`), or ''. */
  readonly suffix: string;
  readonly parameters: ReadonlyMap<string, string>;
}

/** Parses a media type name; undefined when it is not `type/subtype[+suffix][; k=v]...`. */
export function parseMediaType(name: string): MediaTypeName | undefined {
  const [essence = '', ...params] = name.split(';');
  const match = /^\s*([^\s/]+)\/([^\s/+]+)(?:\+([^\s/+]+))?\s*$/.exec(essence.toLowerCase());
  if (match === null) return undefined;
  const parameters = new Map<string, string>();
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq === -1) {
      if (param.trim() === '') continue;
      return undefined;
    }
    // Parameter names are case-insensitive, values are not (as Go's mime.ParseMediaType reads them).
    parameters.set(param.slice(0, eq).trim().toLowerCase(), param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  return { type: match[1] ?? '', subtype: match[2] ?? '', suffix: match[3] ?? '', parameters };
}

/** Whether `inner` is `outer` or a specialisation of it: `application/json` contains `application/problem+json`; parameters do not count. */
export function mediaTypeContains(outer: string, inner: string): boolean {
  const [a, b] = [parseMediaType(outer), parseMediaType(inner)];
  if (a === undefined || b === undefined || a.type !== b.type) return false;
  if (a.suffix === '' && b.suffix !== '' && b.suffix === a.subtype) return true;
  return a.subtype === b.subtype && a.suffix === b.suffix;
}

/** Whether a media type holds JSON: `application/json` or a `+json` suffix, with any parameters. */
export function isJsonMediaType(name: string): boolean {
  const parsed = parseMediaType(name);
  return parsed !== undefined && ((parsed.type === 'application' && parsed.subtype === 'json' && parsed.suffix === '') || parsed.suffix === 'json');
}

/** How a paired media type's name changed: only its parameters, to a specialisation, or to a generalisation (or sideways). */
export function mediaTypeRename(from: string, to: string): 'parameters' | 'specialized' | 'generalized' {
  const [a, b] = [parseMediaType(from), parseMediaType(to)];
  const params = (m: MediaTypeName | undefined) => JSON.stringify([...(m?.parameters ?? [])].sort());
  if (params(a) !== params(b)) return 'parameters';
  return mediaTypeContains(from, to) ? 'specialized' : 'generalized';
}

/** The media types of two `content` maps: pairs (same name, or equivalent names), and those only on one side. */
export interface MediaTypePairing {
  readonly pairs: ReadonlyArray<readonly [base: string, head: string]>;
  readonly removed: readonly string[];
  readonly added: readonly string[];
}

/** Pairs two lists of media type names: exact names first, then each added name with the first equivalent removed one. */
export function pairMediaTypes(base: Iterable<string>, head: Iterable<string>): MediaTypePairing {
  const [b, h] = [[...base], [...head]];
  const pairs: [string, string][] = b.filter((name) => h.includes(name)).map((name) => [name, name]);
  const removed = b.filter((name) => !h.includes(name));
  const added: string[] = [];
  for (const name of h.filter((n) => !b.includes(n))) {
    const i = removed.findIndex((old) => mediaTypeContains(old, name) || mediaTypeContains(name, old));
    if (i === -1) added.push(name);
    else pairs.push([removed.splice(i, 1)[0] ?? '', name]);
  }
  return { pairs, removed, added };
}
