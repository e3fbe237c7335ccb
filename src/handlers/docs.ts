/** The contract itself and the interactive reference page, served from npm packages (no CDN). */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import type { Document } from 'openapi-backend';
import type { Handlers, RawBody } from '../http/handler-types.js';

type DocsHandlers = Pick<
  Handlers,
  'getOpenApiJson' | 'getOpenApiYaml' | 'getDocs' | 'getDocsCss' | 'getDocsBundle' | 'getDocsPreset' | 'getDocsInit'
>;

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Cars API reference</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-ui-standalone-preset.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`;

/**
 * The page's start-up script, served as a separate file rather than inline, so the page works
 * under a strict CSP. Swagger UI fills "Try it out" fields with the spec's examples, so every POST
 * from the page would carry the example Idempotency-Key: the second would replay the first, or be
 * refused with 422 for another body. The script swaps that untouched example for a fresh random
 * key per request; a key the user typed goes out as typed. (getRandomValues, unlike randomUUID,
 * also works on a plain-http page under a public host name.)
 */
function initScript(exampleIdempotencyKey: string | undefined): string {
  return `const exampleIdempotencyKey = ${JSON.stringify(exampleIdempotencyKey ?? null)};
function freshKey() {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}
window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  tryItOutEnabled: true,
  // Off: by default Swagger UI sends the spec's URL to validator.swagger.io from any non-localhost host.
  validatorUrl: null,
  requestInterceptor: (request) => {
    for (const name of Object.keys(request.headers || {})) {
      if (name.toLowerCase() === 'idempotency-key' && request.headers[name] === exampleIdempotencyKey) request.headers[name] = freshKey();
    }
    return request;
  },
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout'
});
`;
}

/** Builds the docs handlers; each asset is read once, when it is first asked for, not at start-up. */
export function createDocsHandlers(spec: Document, specYaml?: string): DocsHandlers {
  const require = createRequire(import.meta.url);
  const assets = dirname(require.resolve('swagger-ui-dist/package.json'));
  // Swagger UI's files are 1.6 MB that most processes never serve: reading them eagerly cost
  // start-up time and kept them in every process's memory.
  const asset = (file: string, contentType: string): (() => RawBody) => {
    let body: RawBody | undefined;
    return () => (body ??= { raw: readFileSync(join(assets, file)), contentType });
  };
  const css = asset('swagger-ui.css', 'text/css');
  const bundle = asset('swagger-ui-bundle.js', 'text/javascript');
  const preset = asset('swagger-ui-standalone-preset.js', 'text/javascript');
  const json = spec as unknown as { openapi: string; info: Record<string, unknown>; paths: Record<string, unknown> };
  const yaml: RawBody = { raw: specYaml ?? stringify(spec), contentType: 'application/yaml' };
  const cached = { 'Cache-Control': 'public, max-age=3600' };
  const components = spec.components as { parameters?: Record<string, { example?: unknown }> } | undefined;
  const exampleKey = components?.parameters?.IdempotencyKey?.example;
  const init: RawBody = { raw: initScript(typeof exampleKey === 'string' ? exampleKey : undefined), contentType: 'text/javascript' };

  return {
    async getOpenApiJson() {
      return { status: 200, body: json };
    },
    async getOpenApiYaml() {
      return { status: 200, body: yaml };
    },
    async getDocs() {
      return { status: 200, body: { raw: PAGE, contentType: 'text/html' } };
    },
    async getDocsCss() {
      return { status: 200, body: css(), headers: cached };
    },
    async getDocsBundle() {
      return { status: 200, body: bundle(), headers: cached };
    },
    async getDocsPreset() {
      return { status: 200, body: preset(), headers: cached };
    },
    async getDocsInit() {
      return { status: 200, body: init };
    },
  };
}
