/** Compares what is outside paths: components (schemas, security schemes, the rest), `info`, servers, tags and other top-level keys. */
import { type At, child, entries, escape } from './document.js';
import { type Differ, same } from './differ.js';
import { leftovers } from './operations.js';
import { diffSecuritySchemes } from './security.js';
import { show } from './schema.js';

/** Compares everything but paths and webhooks; run after them, so that it can tell which component changes they already reported. */
export function diffComponents(d: Differ): void {
  const root = (doc: typeof d.base): At => ({ value: doc.root, ptr: '#' });
  const [bc, hc] = [child(d.base, root(d.base), 'components'), child(d.head, root(d.head), 'components')];
  diffSecuritySchemes(d, bc, hc);
  // Every pointer that holds a finding, and each of its ancestors.
  const reported = new Set<string>();
  for (const f of d.findings()) for (let p = f.ptr; p.includes('/') && !reported.has(p); p = p.slice(0, p.lastIndexOf('/'))) reported.add(p);
  const covered = (ptr: string) => reported.has(ptr);
  const kinds = new Set([...Object.keys(bc?.value ?? {}), ...Object.keys(hc?.value ?? {})]);
  kinds.delete('securitySchemes');
  for (const kind of kinds) {
    const [b, h] = [entries(d.base, bc, kind), entries(d.head, hc, kind)];
    const label = (name: string) => `components.${kind}.${name}`;
    for (const [name, bAt] of b) {
      const hAt = h.get(name);
      if (hAt === undefined) {
        d.emit(kind === 'schemas' ? 'api-schema-removed' : kind === 'examples' ? 'documentation-changed' : 'unclassified-change', 'base', bAt.ptr, label(name), `${label(name)} removed`);
      } else if (!same(bAt.value, hAt.value) && !covered(hAt.ptr) && !covered(bAt.ptr)) {
        // Changed, yet no finding under it: either no operation compares it on both sides (unused,
        // or only where it was added or removed), or a part changed that no rule covers.
        // A schema compared on both sides without a finding changed only in form (a reordered list).
        const compared = kind === 'schemas' && d.compared.has(hAt.ptr) && d.compared.has(bAt.ptr);
        const unused = kind === 'schemas' && !compared;
        const rule = kind === 'examples' ? 'documentation-changed' : compared ? 'equivalent-change' : unused ? 'api-schema-changed-unused' : 'unclassified-change';
        const why = {
          'documentation-changed': '',
          'equivalent-change': ' in form only (such as a reordered list)',
          'unclassified-change': ' in a way no rule covers; review by hand',
          'api-schema-changed-unused': ', where no operation uses it on both sides',
        }[rule];
        d.emit(rule, 'head', hAt.ptr, label(name), `${label(name)} changed${why}`);
      }
    }
    for (const [name, hAt] of h) {
      if (!b.has(name)) d.emit(kind === 'schemas' ? 'api-schema-added' : 'documentation-changed', 'head', hAt.ptr, label(name), `${label(name)} added`);
    }
  }
  const [bi, hi] = [child(d.base, root(d.base), 'info'), child(d.head, root(d.head), 'info')];
  if (bi && hi && !same(bi.value.version, hi.value.version)) {
    d.emit('api-version-changed', 'head', `${hi.ptr}/version`, 'info.version', `info.version ${show(bi.value.version)} → ${show(hi.value.version)}`);
  }
  if (bi && hi) {
    for (const key of new Set([...Object.keys(bi.value), ...Object.keys(hi.value)])) {
      if (key === 'version' || same(bi.value[key], hi.value[key])) continue;
      d.emit(key.startsWith('x-') ? 'extension-changed' : 'documentation-changed', key in hi.value ? 'head' : 'base', `${key in hi.value ? hi.ptr : bi.ptr}/${escape(key)}`, `info.${key}`, `info.${key} changed`);
    }
  }
  for (const key of ['tags', 'externalDocs']) {
    if (!same(d.base.root[key], d.head.root[key])) d.emit('documentation-changed', key in d.head.root ? 'head' : 'base', `#/${key}`, key, `${key} changed`);
  }
  if (!same(d.base.root.openapi, d.head.root.openapi)) {
    d.emit('openapi-version-changed', 'head', '#/openapi', 'openapi', `openapi ${show(d.base.root.openapi)} → ${show(d.head.root.openapi)}`);
  }
  leftovers(d, root(d.base), root(d.head), 'document', new Set(['openapi', 'paths', 'webhooks', 'components', 'security', 'info', 'tags', 'externalDocs']), []);
}
