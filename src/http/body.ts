/** Request bodies: the media type is enforced here, then @koa/bodyparser reads and parses the JSON. */
import { bodyParser } from '@koa/bodyparser';
import type { Context } from 'koa';
import { duplicateMember, malformedJson, payloadTooLarge, unsupportedMediaType, validationFailed } from '../errors.js';
import { findDuplicateMember } from './duplicate-members.js';
import { escapePointerToken } from './json-pointer.js';

/** Reads the body of an operation that takes one. */
export type BodyReader = (ctx: Context, accepted: readonly string[]) => Promise<unknown>;

/** Options for the body reader. */
export interface BodyReaderOptions {
  /** The largest body accepted, in bytes; larger ones get 413. */
  limit: number;
  /** Every media type an operation may take; all are JSON or `+json` types. */
  mediaTypes: readonly string[];
}

/**
 * Builds the body reader. openapi-backend parses a string body as JSON whatever its media type,
 * so the 415 for a non-JSON body is decided here, before parsing.
 */
export function createBodyReader({ limit, mediaTypes }: BodyReaderOptions): BodyReader {
  const parse = bodyParser({
    enableTypes: ['json'],
    extendTypes: { json: [...mediaTypes] },
    jsonLimit: limit,
    // Any JSON value is parsed, so a body of `null` or `1` is well-formed and gets the schema's
    // "must be object" rather than "malformed JSON".
    jsonStrict: false,
    encoding: 'utf-8',
    // The reader below has already matched the media type against the operation's, so the
    // parser's own type-is match (a profile's largest single cost in reading a PUT) is skipped.
    detectJSON: () => true,
    onError(err: Error & { status?: number; type?: string }) {
      if (err.status === 413) throw payloadTooLarge(limit);
      if (err.status === 415) throw unsupportedMediaType(`a charset other than UTF-8`, mediaTypes);
      if (err.status === 400 || err instanceof SyntaxError) throw malformedJson(err.message);
      throw err;
    },
  });
  const done = async () => {};

  return async (ctx, accepted) => {
    const { request } = ctx;
    const { headers } = ctx.req;
    const declared = headers['content-type'] ?? '';
    const hasBody = headers['transfer-encoding'] !== undefined || (request.length ?? 0) > 0;
    if (!hasBody) return undefined;
    // The common case, a bare type that is one of the accepted ones, is a lookup; anything else
    // (parameters, other case, +json suffixes) goes through Koa's type-is match.
    const bare = !declared.includes(';') && accepted.includes(declared);
    if (!bare && (!declared || !ctx.is(...accepted))) throw unsupportedMediaType(declared.split(';')[0] ?? '', accepted);
    // JSON exchanged between systems must be UTF-8 (RFC 8259 §8.1).
    const charset = bare ? '' : request.charset.toLowerCase();
    if (charset !== '' && charset !== 'utf-8' && charset !== 'utf8') {
      throw unsupportedMediaType(`${request.type} with charset=${charset}`, accepted);
    }
    await parse(ctx, done);
    const raw = (request as { rawBody?: string }).rawBody ?? '';
    assertUtf8(ctx, raw);
    const body: unknown = request.body;
    const repeated = findDuplicateMember(raw, body);
    if (repeated !== undefined) throw duplicateMember(repeated);
    // A lone surrogate can only come from a `\u` escape: raw UTF-8 cannot encode one.
    const illFormed = raw.includes('\\') ? findLoneSurrogate(body, '') : undefined;
    if (illFormed !== undefined) {
      throw validationFailed([{ pointer: illFormed, message: 'contains a lone surrogate, which is not Unicode text' }]);
    }
    return body;
  };
}

/**
 * The decoder replaces invalid UTF-8 with U+FFFD. A replacement character that was really sent
 * takes 3 bytes and re-encodes to 3, so a length that differs from Content-Length means bytes
 * were replaced (RFC 8259 §8.1: JSON text is UTF-8).
 */
function assertUtf8(ctx: Context, raw: string): void {
  if (!raw.includes('\uFFFD')) return;
  const declared = ctx.request.length;
  if (declared === undefined || Buffer.byteLength(raw, 'utf8') !== declared) {
    throw malformedJson('the body is not valid UTF-8');
  }
}

/**
 * The JSON Pointer of a string holding a lone surrogate (from a `\ud800` escape), if any.
 * Iterative, so a deeply nested body cannot exhaust the stack.
 */
function findLoneSurrogate(root: unknown, rootPointer: string): string | undefined {
  const pending: [unknown, string][] = [[root, rootPointer]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [value, pointer] = next;
    if (typeof value === 'string') {
      if (!value.isWellFormed()) return pointer;
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        const child = `${pointer}/${escapePointerToken(key)}`;
        if (!key.isWellFormed()) return child;
        pending.push([item, child]);
      }
    }
  }
  return undefined;
}
