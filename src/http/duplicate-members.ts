/** Finds member names repeated within one JSON object, which JSON.parse silently resolves to the last one. */
import { escapePointerToken } from './json-pointer.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/**
 * The JSON Pointer (RFC 6901) of the first member whose name repeats an earlier member of the
 * same object, at any depth, or undefined when no name repeats. Names are compared after
 * unescaping, so `"i\u0064"` repeats `"id"`.
 *
 * `text` must be JSON that JSON.parse accepted, and `value` what it returned. A repeated name is
 * the only way the text can hold more member names than the parsed objects hold keys, so the
 * common case is two counts: one pass over the text's characters (no allocation) and a walk of
 * the parsed value. Only when they differ does a second pass collect names to find the member.
 * Both passes are iterative, so any depth is safe.
 */
export function findDuplicateMember(text: string, value: unknown): string | undefined {
  if (countNames(text) === countKeys(value)) return undefined;
  return locateDuplicate(text);
}

/** Member names in the text: strings right after `{` or after a `,` inside an object. */
function countNames(text: string): number {
  // Whether each open container is an object; a bit per level would cap the depth, so a byte array.
  let kinds = new Uint8Array(64);
  let depth = 0;
  let expectName = false;
  let names = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      if (expectName) names += 1;
      expectName = false;
      i = stringEnd(text, i);
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (depth === kinds.length) {
        const grown = new Uint8Array(depth * 2);
        grown.set(kinds);
        kinds = grown;
      }
      kinds[depth++] = c === OPEN_OBJECT ? 1 : 0;
      expectName = c === OPEN_OBJECT;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth -= 1;
      expectName = false;
    } else if (c === COMMA) {
      expectName = depth > 0 && kinds[depth - 1] === 1;
    }
  }
  return names;
}

/** Keys of every object in a parsed JSON value. */
function countKeys(root: unknown): number {
  let keys = 0;
  const pending: unknown[] = [root];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next !== 'object' || next === null) continue;
    if (Array.isArray(next)) {
      for (const item of next) pending.push(item);
    } else {
      for (const key in next) {
        keys += 1;
        pending.push((next as Record<string, unknown>)[key]);
      }
    }
  }
  return keys;
}

/** An open object (with the names seen so far) or array (with the index of its current element). */
interface Frame {
  readonly names: Set<string> | undefined;
  name: string;
  index: number;
}

/** The pointer to the first repeated member, found by collecting each object's names. */
function locateDuplicate(text: string): string | undefined {
  const stack: Frame[] = [];
  let top: Frame | undefined;
  let expectName = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (expectName && top?.names) {
        const name = nameBetween(text, i, end);
        top.name = name;
        if (top.names.has(name)) return pointerOf(stack);
        top.names.add(name);
        expectName = false;
      }
      i = end;
    } else if (c === OPEN_OBJECT) {
      top = { names: new Set(), name: '', index: 0 };
      stack.push(top);
      expectName = true;
    } else if (c === OPEN_ARRAY) {
      top = { names: undefined, name: '', index: 0 };
      stack.push(top);
      expectName = false;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      stack.pop();
      top = stack[stack.length - 1];
      expectName = false;
    } else if (c === COMMA && top) {
      if (top.names) expectName = true;
      else top.index += 1;
    }
  }
  return undefined;
}

/**
 * The unescaped name of the string literal between the quotes at `open` and `close`. Built from
 * character codes: `text.slice` here turned quadratic in optimised code after very deep bodies
 * (measured: 14 s for a 1 MB body of 45,000 members; see the commit message).
 */
function nameBetween(text: string, open: number, close: number): string {
  let name = '';
  let escaped = false;
  for (let i = open + 1; i < close; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) escaped = true;
    name += String.fromCharCode(c);
  }
  return escaped ? (JSON.parse(`"${name}"`) as string) : name;
}

/** The index of the quote that closes the string opening at `start` (or the text's end). */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i;
    if (c === BACKSLASH) i += 1; // skip the escaped character
  }
  return text.length;
}

/** The pointer to the current member or element of every open container. */
function pointerOf(stack: readonly Frame[]): string {
  let pointer = '';
  for (const frame of stack) pointer += `/${frame.names ? escapePointerToken(frame.name) : frame.index}`;
  return pointer;
}
