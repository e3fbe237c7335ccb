/**
 * `npm run build` (also run by `npm ci` through `prepare`): checks the spec, then bundles the server
 * (src/main.ts) with esbuild into dist/server/main.js, which `npm start` runs with no TypeScript
 * loader. One bundle started faster than tsc's one file per module (see the commit that added it).
 */
import { build } from 'esbuild';
import type { Document } from 'openapi-backend';
import { compileContract } from '../src/http/contract.js';
import { parse } from 'yaml';
import { loadSpecText } from '../src/spec.js';

const OUT = 'dist/server/main.js';

// The bundle carries the spec (src/main.ts, CARS_BUILT_SPEC) and skips the OpenAPI-schema check of
// it at start-up, so the check happens here, once, on the text it carries.
const yaml = loadSpecText();
const spec = parse(yaml) as Document;
await compileContract(spec, { checkDocument: true });

await build({
  entryPoints: ['src/main.ts'],
  outfile: OUT,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  // Native or optional at run time: better-sqlite3 loads its .node addon, pg tries pg-native,
  // and pino-pretty runs in a worker thread only on a terminal outside production.
  external: ['better-sqlite3', 'pg-native', 'pino-pretty'],
  define: { CARS_BUILT_SPEC: JSON.stringify({ yaml, json: JSON.stringify(spec) }) },
  // The bundle is ESM, and some bundled CommonJS packages call require() for node's own modules.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
process.stdout.write(`build: spec checked; wrote ${OUT}\n`);
