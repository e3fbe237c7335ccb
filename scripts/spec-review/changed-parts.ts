/** What the client impact compares: the parts of both documents that differ, and what they reference. */
import { isDeepStrictEqual } from 'node:util';
import { escape, isObj, type Obj } from './document.js';

/** The top-level groups whose entries each become generated types. */
const GROUPS = [['paths'], ['webhooks'], ['components', 'schemas'], ['components', 'responses'], ['components', 'parameters'], ['components', 'requestBodies'], ['components', 'headers'], ['components', 'pathItems']] as const;

/**
 * Copies of both documents holding only the entries (paths, webhooks, components) that differ,
 * and the components they reference: unchanged entries generate the same types on both sides,
 * and leaving them out makes openapi-typescript's work proportional to the change, not to the spec.
 */
export function changedParts(base: Obj, head: Obj): [Obj, Obj] {
  const group = (doc: Obj, path: readonly string[]): Obj => {
    let node: unknown = doc;
    for (const key of path) node = isObj(node) ? node[key] : undefined;
    return isObj(node) ? node : {};
  };
  // Entries that differ (or exist on one side only), by group and name.
  const wanted = new Map<string, { path: readonly string[]; name: string }>();
  const pending: unknown[] = [];
  for (const path of GROUPS) {
    const [b, h] = [group(base, path), group(head, path)];
    for (const name of new Set([...Object.keys(b), ...Object.keys(h)])) {
      if (isDeepStrictEqual(b[name], h[name])) continue;
      wanted.set(`${path.join('/')}/${escape(name)}`, { path, name });
      pending.push(b[name], h[name]);
    }
  }
  // The components they reference, transitively on both sides, so that every $ref resolves
  // and an unchanged component is kept on both sides or on neither.
  while (pending.length > 0) {
    const text = JSON.stringify(pending.pop() ?? null);
    for (const [, ref = ''] of text.matchAll(/"\$ref":"#\/components\/([^"]+)"/g)) {
      const [kind = '', name = ''] = ref.split('/').map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
      const key = `components/${kind}/${escape(name)}`;
      if (wanted.has(key)) continue;
      wanted.set(key, { path: ['components', kind], name });
      pending.push(group(base, ['components', kind])[name], group(head, ['components', kind])[name]);
    }
  }
  return [base, head].map((doc) => {
    const copy: Obj = { openapi: doc.openapi, info: doc.info };
    for (const { path, name } of wanted.values()) {
      const value = group(doc, path)[name];
      if (value === undefined) continue;
      let node = copy;
      for (const key of path) node = (node[key] ??= {}) as Obj;
      node[name] = value;
    }
    const schemes = group(doc, ['components', 'securitySchemes']);
    if (Object.keys(schemes).length > 0) ((copy.components ??= {}) as Obj).securitySchemes = schemes;
    return copy;
  }) as [Obj, Obj];
}
