/**
 * Client impact: how the TypeScript types that openapi-typescript generates change between the
 * two sides, as the names of types and fields added, removed or changed. It is what a program
 * that uses the typed client sees: a removed field or a changed type is a compile error there.
 */
import openapiTS, { type OpenAPI3 } from 'openapi-typescript';
import ts from 'typescript';
import type { Obj } from './document.js';

/** One field of a generated type that was added, removed or retyped. */
export interface FieldChange {
  /** The generated type, such as `components["schemas"]["Car"]` or `operations["listCars"]`. */
  readonly type: string;
  /** The field path inside it, such as `model` or `responses.200.content.application/json`. */
  readonly field: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** The field's type before and after, as openapi-typescript writes it (`?` marks an optional field). */
  readonly base?: string;
  readonly head?: string;
}

/** The generated types added and removed, and the fields changed in the others. */
export interface ClientImpact {
  readonly typesAdded: readonly string[];
  readonly typesRemoved: readonly string[];
  readonly fields: readonly FieldChange[];
  /** Why the types could not be compared, when they could not. */
  readonly error?: string;
}

/** Generates the types of both sides (the parts that differ: see changed-parts.ts) and compares them. */
export async function clientImpact(base: Obj, head: Obj): Promise<ClientImpact> {
  const [b, h] = [await typeFields(base), await typeFields(head)];
  const typesAdded = [...h.keys()].filter((t) => !b.has(t));
  const typesRemoved = [...b.keys()].filter((t) => !h.has(t));
  const fields: FieldChange[] = [];
  for (const [type, bFields] of b) {
    const hFields = h.get(type);
    if (hFields === undefined) continue;
    for (const [field, before] of bFields) {
      const after = hFields.get(field);
      if (after === undefined) fields.push({ type, field, change: 'removed', base: before });
      else if (after !== before) fields.push({ type, field, change: 'changed', base: before, head: after });
    }
    for (const [field, after] of hFields) if (!bFields.has(field)) fields.push({ type, field, change: 'added', head: after });
  }
  return { typesAdded, typesRemoved, fields };
}

/** The generated types of a document: type name → field path → the field's type text. */
async function typeFields(doc: Obj): Promise<Map<string, Map<string, string>>> {
  const nodes = await openapiTS(doc as unknown as OpenAPI3, { silent: true });
  // The nodes are walked as openapi-typescript builds them, and only leaf types are printed:
  // printing the whole file and parsing it again cost twice the memory.
  const source = ts.createSourceFile('types.ts', '', ts.ScriptTarget.Latest);
  const printer = ts.createPrinter({ removeComments: true, omitTrailingSemicolon: true });
  const text = (node: ts.Node) => printer.printNode(ts.EmitHint.Unspecified, node, source).replace(/\s+/g, ' ');
  const result = new Map<string, Map<string, string>>();
  for (const statement of nodes) {
    if (!ts.isInterfaceDeclaration(statement)) continue;
    const root = statement.name.text;
    // Types are named two levels down in components (`components["schemas"]["Car"]`), one level elsewhere.
    walkMembers(statement.members, [root], root === 'components' ? 3 : 2, text, result);
  }
  return result;
}

function walkMembers(members: ts.NodeArray<ts.TypeElement>, path: string[], typeDepth: number, text: (node: ts.Node) => string, out: Map<string, Map<string, string>>): void {
  for (const member of members) {
    if (!ts.isPropertySignature(member) || member.type === undefined) continue;
    const name = ts.isIdentifier(member.name) || ts.isStringLiteral(member.name) || ts.isNumericLiteral(member.name) ? member.name.text : text(member.name);
    const here = [...path, name];
    const literal = ts.isTypeLiteralNode(member.type) ? member.type : undefined;
    if (here.length < typeDepth) {
      if (literal) walkMembers(literal.members, here, typeDepth, text, out);
      continue;
    }
    if (here.length === typeDepth) {
      out.set(typeName(here), new Map());
      if (literal) walkMembers(literal.members, here, typeDepth, text, out);
      else out.get(typeName(here))?.set('(type)', text(member.type));
      continue;
    }
    const fields = out.get(typeName(here.slice(0, typeDepth)));
    if (fields === undefined) continue;
    const field = here.slice(typeDepth).join('.');
    const optional = member.questionToken === undefined ? '' : '?';
    if (literal && literal.members.length > 0) {
      fields.set(field, `${optional}{…}`);
      walkMembers(literal.members, here, typeDepth, text, out);
    } else fields.set(field, `${optional}${text(member.type)}`);
  }
}

function typeName(path: readonly string[]): string {
  const [root = '', ...rest] = path;
  return `${root}${rest.map((s) => `[${JSON.stringify(s)}]`).join('')}`;
}
