/** Renders a request as a curl command, to reproduce a fuzz failure against a local server. */

/** A request as the fuzz tests send it. */
export interface HttpRequest {
  readonly method: string;
  /** Path and query, such as `/cars?limit=2`. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** Where `npm start` listens by default (spec `servers`, src/config.ts). */
const BASE_URL = 'http://localhost:8080';

/** One shell command that sends `request`, quoted for bash. */
export function curl(request: HttpRequest): string {
  const parts = ['curl', '-i'];
  if (request.method !== 'GET' || request.body !== undefined) parts.push('-X', request.method);
  parts.push(quote(BASE_URL + request.path));
  for (const [name, value] of Object.entries(request.headers)) parts.push('-H', quote(`${name}: ${value}`));
  if (request.body !== undefined) parts.push('--data-binary', quote(request.body));
  return parts.join(' ');
}

/** Single quotes for printable text; bash's $'...' with escapes for anything else. */
function quote(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return `'${text.replaceAll("'", `'\\''`)}'`;
  let escaped = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\\' || char === "'") escaped += `\\${char}`;
    else if (code >= 0x20 && code <= 0x7e) escaped += char;
    else if (code <= 0xff) escaped += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code <= 0xffff) escaped += `\\u${code.toString(16).padStart(4, '0')}`;
    else escaped += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return `$'${escaped}'`;
}
