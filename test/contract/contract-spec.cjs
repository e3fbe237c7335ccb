/**
 * What the Dredd hooks need to know about the spec: path templates, methods, optional
 * parameters, security and response schemas. CommonJS because Dredd `require`s the hooks that use it.
 */
'use strict';

const { readFileSync } = require('node:fs');
const { parse } = require('yaml');

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Formats the JSON Schema validator in Dredd (Gavel, Ajv 6) knows; any other one makes it throw. */
const KNOWN_FORMATS = new Set([
  'date', 'time', 'date-time', 'uri', 'uri-reference', 'uri-template', 'url', 'email',
  'hostname', 'ipv4', 'ipv6', 'regex', 'uuid', 'json-pointer', 'relative-json-pointer',
]);

/** Reads the spec at `filename` and answers questions about it. */
function loadContractSpec(filename) {
  const spec = parse(readFileSync(filename, 'utf8'));
  const templates = Object.keys(spec.paths || {});

  /** Follows a local `$ref` (`#/components/...`). */
  function deref(node) {
    let seen = 0;
    while (node && typeof node.$ref === 'string') {
      if (++seen > 32) throw new Error(`$ref loop at ${node.$ref}`);
      if (!node.$ref.startsWith('#/')) throw new Error(`only local $refs are supported: ${node.$ref}`);
      node = node.$ref
        .slice(2)
        .split('/')
        .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce((at, key) => (at === undefined ? undefined : at[key]), spec);
    }
    return node;
  }

  /** The path template a request path falls under: literal segments win over `{params}`. */
  function templateOf(path) {
    const parts = path.split('?')[0].split('/');
    const matches = templates.filter((tpl) => {
      const segs = tpl.split('/');
      return segs.length === parts.length && segs.every((s, i) => /^\{.+\}$/.test(s) ? parts[i] !== '' : s === parts[i]);
    });
    matches.sort((a, b) => (a.match(/\{/g) || []).length - (b.match(/\{/g) || []).length);
    return matches[0];
  }

  /** The operation for `method` at `template`, or undefined. */
  function operation(method, template) {
    const item = spec.paths[template];
    return item && item[method.toLowerCase()];
  }

  /** The methods documented at a path template, upper case. */
  function methodsAt(template) {
    const item = spec.paths[template] || {};
    return HTTP_METHODS.filter((m) => item[m]).map((m) => m.toUpperCase());
  }

  /** Path-level and operation-level parameters of an operation, resolved; the operation's win. */
  function parameters(method, template) {
    const byKey = new Map();
    const item = spec.paths[template] || {};
    for (const p of [...(item.parameters || []), ...((operation(method, template) || {}).parameters || [])]) {
      const param = deref(p);
      byKey.set(`${param.in}:${param.name.toLowerCase()}`, param);
    }
    return [...byKey.values()];
  }

  /** The security requirements of an operation: its own, or the document's; `[]` when public. */
  function security(method, template) {
    const op = operation(method, template) || {};
    return op.security || spec.security || [];
  }

  /** The documented response schema, as draft-4 JSON Schema, for a status and media type; or undefined. */
  function responseSchema(method, template, status, mediaType) {
    const op = operation(method, template);
    const response = op && deref((op.responses || {})[status]);
    const media = response && response.content && response.content[mediaType];
    if (!media || !media.schema) return undefined;
    return { $schema: 'http://json-schema.org/draft-04/schema#', ...toJsonSchema(media.schema, []) };
  }

  /** OpenAPI 3.0 Schema Object to draft-4 JSON Schema: refs inlined, `nullable` mapped, unknown formats dropped. */
  function toJsonSchema(node, trail) {
    if (Array.isArray(node)) return node.map((n) => toJsonSchema(n, trail));
    if (!node || typeof node !== 'object') return node;
    if (typeof node.$ref === 'string') {
      if (trail.includes(node.$ref)) throw new Error(`recursive schema ${node.$ref} is not supported`);
      return toJsonSchema(deref(node), [...trail, node.$ref]);
    }
    const out = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === 'example' || key === 'examples' || key === 'nullable') continue;
      if (key === 'format' && !KNOWN_FORMATS.has(value)) continue;
      // The keys of `properties` are member names, not keywords: keep them all.
      out[key] = key === 'properties' || key === 'patternProperties'
        ? Object.fromEntries(Object.entries(value).map(([name, s]) => [name, toJsonSchema(s, trail)]))
        : toJsonSchema(value, trail);
    }
    if (node.nullable === true && typeof node.type === 'string') out.type = [node.type, 'null'];
    return out;
  }

  return { spec, templates, templateOf, operation, methodsAt, parameters, security, responseSchema };
}

module.exports = { loadContractSpec };
