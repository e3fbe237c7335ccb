/**
 * Security requirements and security schemes. An operation's `security` is a list of OR
 * alternatives, each an AND of schemes with their scopes; `{}` (or an empty list) lets anonymous
 * callers in. Adding an alternative lets more callers in; removing one, or adding a scheme or a
 * scope to one, refuses callers that got in before.
 */
import { type At, entries, escape, isObj } from './document.js';
import { type Differ, same } from './differ.js';
import { show } from './schema.js';

type Requirement = Record<string, string[]>;

/** The requirement list of a node (operation or document), undefined when it has none of its own. */
export function ownSecurity(node: Record<string, unknown>): Requirement[] | undefined {
  const raw = node.security;
  if (!Array.isArray(raw)) return undefined;
  return raw.filter(isObj).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : []])));
}

const schemesKey = (r: Requirement) => Object.keys(r).sort().join(' + ');
const showRequirement = (r: Requirement) =>
  Object.entries(r)
    .map(([scheme, scopes]) => (scopes.length > 0 ? `${scheme} [${scopes.join(', ')}]` : scheme))
    .join(' and ') || 'anonymous';

/** Compares two requirement lists; `global` picks the document-wide rule ids. */
export function diffRequirements(
  d: Differ,
  b: Requirement[],
  h: Requirement[],
  at: { bPtr: string; hPtr: string; where: string; operations: string[]; global: boolean },
): void {
  const id = (suffix: string) => `api-${at.global ? 'global-' : ''}security-${suffix}`;
  const anonymous = (list: Requirement[]) => list.length === 0 || list.some((r) => Object.keys(r).length === 0);
  const [bAnon, hAnon] = [anonymous(b), anonymous(h)];
  const index = (list: Requirement[]) => new Map(list.filter((r) => Object.keys(r).length > 0).map((r) => [schemesKey(r), r]));
  const [bAlt, hAlt] = [index(b), index(h)];
  const say = (rule: string, side: 'base' | 'head', message: string) =>
    d.emit(rule, side, side === 'base' ? at.bPtr : at.hPtr, at.where, message, at.operations);
  if (bAnon && !hAnon) say(id('requirement-added'), 'head', `anonymous calls no longer allowed: security ${h.map(showRequirement).join(' or ')}`);
  if (!bAnon && hAnon) say(id('added'), 'head', 'anonymous calls now allowed');
  for (const [key, req] of bAlt) {
    const other = hAlt.get(key);
    if (other === undefined) {
      say(id('removed'), 'base', `security alternative ${showRequirement(req)} removed`);
      continue;
    }
    for (const [scheme, scopes] of Object.entries(other)) {
      for (const scope of scopes) if (!(req[scheme] ?? []).includes(scope)) say(id('scope-added'), 'head', `scope \`${scope}\` now needed for ${scheme}`);
      for (const scope of req[scheme] ?? []) if (!scopes.includes(scope)) say(id('scope-removed'), 'head', `scope \`${scope}\` no longer needed for ${scheme}`);
    }
  }
  for (const [key, req] of hAlt) {
    if (bAlt.has(key) || bAnon) continue;
    say(id('added'), 'head', `security alternative ${showRequirement(req)} added`);
  }
}

/** Compares `components.securitySchemes`: each scheme's type, API key name and place, HTTP scheme, bearer format and OAuth flows. */
export function diffSecuritySchemes(d: Differ, bComponents: At | undefined, hComponents: At | undefined): void {
  const [b, h] = [entries(d.base, bComponents, 'securitySchemes'), entries(d.head, hComponents, 'securitySchemes')];
  for (const [name, bs] of b) {
    const hs = h.get(name);
    const where = `security scheme \`${name}\``;
    if (hs === undefined) {
      d.emit('api-security-component-removed', 'base', bs.ptr, where, 'security scheme removed');
      continue;
    }
    const [x, y] = [bs.value, hs.value];
    const say = (rule: string, key: string, message: string) => d.emit(rule, 'head', key in y ? `${hs.ptr}/${escape(key)}` : hs.ptr, where, message);
    const handled = new Set(['type', 'description']);
    if (!same(x.type, y.type)) say('api-security-component-type-changed', 'type', `type ${show(x.type)} → ${show(y.type)}`);
    else {
      if (x.type === 'apiKey') {
        handled.add('name').add('in');
        if (!same(x.name, y.name)) say('api-security-component-api-key-name-changed', 'name', `API key name ${show(x.name)} → ${show(y.name)}`);
        if (!same(x.in, y.in)) say('api-security-component-api-key-in-changed', 'in', `API key in ${show(x.in)} → ${show(y.in)}`);
      }
      if (x.type === 'http') {
        handled.add('scheme').add('bearerFormat');
        if (String(x.scheme).toLowerCase() !== String(y.scheme).toLowerCase()) say('api-security-component-scheme-changed', 'scheme', `scheme ${show(x.scheme)} → ${show(y.scheme)}`);
        if (!same(x.bearerFormat, y.bearerFormat)) say('api-security-component-bearer-format-changed', 'bearerFormat', `bearerFormat ${show(x.bearerFormat)} → ${show(y.bearerFormat)}`);
      }
      if (x.type === 'oauth2' && isObj(x.flows) && isObj(y.flows)) {
        handled.add('flows');
        diffFlows(x.flows, y.flows, (rule, message) => say(rule, 'flows', message));
      }
    }
    if (!same(x.description, y.description)) say('documentation-changed', 'description', 'description changed');
    // A new type brings its own fields: the type change says it all.
    if (!same(x.type, y.type)) continue;
    for (const key of new Set([...Object.keys(x), ...Object.keys(y)])) {
      if (handled.has(key) || same(x[key], y[key])) continue;
      say(key.startsWith('x-') ? 'extension-changed' : 'api-security-component-changed', key, `${key} ${show(x[key])} → ${show(y[key])}`);
    }
  }
  for (const [name, hs] of h) if (!b.has(name)) d.emit('api-security-component-added', 'head', hs.ptr, `security scheme \`${name}\``, 'security scheme added');
}

function diffFlows(b: Record<string, unknown>, h: Record<string, unknown>, say: (rule: string, message: string) => void): void {
  for (const flow of new Set([...Object.keys(b), ...Object.keys(h)])) {
    const [x, y] = [b[flow], h[flow]];
    if (same(x, y)) continue;
    if (!isObj(x) || !isObj(y)) {
      say('api-security-component-changed', `flow ${flow} ${x === undefined ? 'added' : 'removed'}`);
      continue;
    }
    if (!same(x.authorizationUrl, y.authorizationUrl)) say('api-security-component-oauth-url-changed', `${flow} authorizationUrl ${show(x.authorizationUrl)} → ${show(y.authorizationUrl)}`);
    if (!same(x.tokenUrl, y.tokenUrl)) say('api-security-component-oauth-token-url-changed', `${flow} tokenUrl ${show(x.tokenUrl)} → ${show(y.tokenUrl)}`);
    const [xs, ys] = [isObj(x.scopes) ? x.scopes : {}, isObj(y.scopes) ? y.scopes : {}];
    for (const scope of Object.keys(ys)) if (!(scope in xs)) say('api-security-component-oauth-scope-added', `${flow} scope \`${scope}\` added`);
    for (const scope of Object.keys(ys)) if (scope in xs && !same(xs[scope], ys[scope])) say('api-security-component-oauth-scope-changed', `${flow} scope \`${scope}\`: ${show(xs[scope])} → ${show(ys[scope])}`);
    for (const scope of Object.keys(xs)) if (!(scope in ys)) say('api-security-component-oauth-scope-removed', `${flow} scope \`${scope}\` removed`);
    if (!same(x.refreshUrl, y.refreshUrl)) say('api-security-component-changed', `${flow} refreshUrl ${show(x.refreshUrl)} → ${show(y.refreshUrl)}`);
  }
}
