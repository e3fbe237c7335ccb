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

// A separate script rather than an inline one, so the page works under a strict CSP.
const INIT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  tryItOutEnabled: true,
  // Off: by default Swagger UI sends the spec's URL to validator.swagger.io from any non-localhost host.
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout'
});
`;

/** Builds the docs handlers; the spec texts and the assets are read once, here. */
export function createDocsHandlers(spec: Document, specYaml?: string): DocsHandlers {
  const require = createRequire(import.meta.url);
  const assets = dirname(require.resolve('swagger-ui-dist/package.json'));
  const asset = (file: string, contentType: string): RawBody => ({ raw: readFileSync(join(assets, file)), contentType });
  const css = asset('swagger-ui.css', 'text/css');
  const bundle = asset('swagger-ui-bundle.js', 'text/javascript');
  const preset = asset('swagger-ui-standalone-preset.js', 'text/javascript');
  const json = spec as unknown as { openapi: string; info: Record<string, unknown>; paths: Record<string, unknown> };
  const yaml: RawBody = { raw: specYaml ?? stringify(spec), contentType: 'application/yaml' };
  const cached = { 'Cache-Control': 'public, max-age=3600' };

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
      return { status: 200, body: css, headers: cached };
    },
    async getDocsBundle() {
      return { status: 200, body: bundle, headers: cached };
    },
    async getDocsPreset() {
      return { status: 200, body: preset, headers: cached };
    },
    async getDocsInit() {
      return { status: 200, body: { raw: INIT, contentType: 'text/javascript' } };
    },
  };
}
