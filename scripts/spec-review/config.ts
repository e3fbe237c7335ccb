/**
 * The review's config file, `spec-review.yaml`: severity overrides per rule, and waivers for
 * one finding (rule id and place) with a reason and an expiry date. A malformed file is an
 * error naming the file and line.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { RULES, type Level } from './rules.js';

/** One waiver: the finding it covers, why, and until when. */
export interface Waiver {
  readonly rule: string;
  /** The finding's place (`where`), one of its operations (`DELETE /cars/{carId}`), or its JSON pointer. */
  readonly at: string;
  readonly reason: string;
  /** YYYY-MM-DD; from the day after, the waiver fails the review. */
  readonly expires: string;
  /** Where the waiver is written, for messages. */
  readonly line: number;
}

/** The parsed config. */
export interface ReviewConfig {
  readonly file: string | undefined;
  readonly severity: ReadonlyMap<string, Level>;
  readonly waivers: readonly Waiver[];
}

/** A config with no overrides and no waivers. */
export const EMPTY_CONFIG: ReviewConfig = { file: undefined, severity: new Map(), waivers: [] };

/** Why a config file was refused: `file:line: message`. */
export class ConfigError extends Error {}

const LEVELS = new Set<string>(['error', 'warning', 'info']);

/** Parses the text of a config file named `file`. */
export function parseConfig(text: string, file: string): ReviewConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const lineOf = (node: YamlNode | null | undefined) => (node?.range ? lineCounter.linePos(node.range[0]).line : 1);
  const fail = (node: YamlNode | null | undefined, message: string): never => {
    throw new ConfigError(`${file}:${lineOf(node)}: ${message}`);
  };
  const syntax = doc.errors[0];
  if (syntax !== undefined) throw new ConfigError(`${file}:${lineCounter.linePos(syntax.pos[0]).line}: ${syntax.message.split('\n')[0]}`);
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return { file, severity: new Map(), waivers: [] };
  if (!isMap(root)) return fail(root, 'expected a mapping with `severity` and `waivers`');

  const severity = new Map<string, Level>();
  const waivers: Waiver[] = [];
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const value = pair.value as YamlNode | null;
    if (key === 'severity') {
      if (!isMap(value)) return fail(value ?? (pair.key as YamlNode), '`severity` must map rule ids to error, warning or info');
      for (const entry of value.items) {
        const id = isScalar(entry.key) ? String(entry.key.value) : '';
        const level = isScalar(entry.value) ? String(entry.value.value) : '';
        if (!RULES.has(id)) fail(entry.key as YamlNode, `unknown rule id ${JSON.stringify(id)} (see docs/spec-review-rules.md)`);
        if (!LEVELS.has(level)) fail((entry.value as YamlNode | null) ?? (entry.key as YamlNode), `level of ${id} must be error, warning or info, not ${JSON.stringify(level)}`);
        severity.set(id, level as Level);
      }
    } else if (key === 'waivers') {
      if (!isSeq(value)) return fail(value ?? (pair.key as YamlNode), '`waivers` must be a list');
      for (const item of value.items) waivers.push(parseWaiver(item as YamlNode, fail, lineOf));
    } else fail(pair.key as YamlNode, `unknown key ${JSON.stringify(key)} (expected severity, waivers)`);
  }
  return { file, severity, waivers };
}

function parseWaiver(node: YamlNode, fail: (node: YamlNode | null | undefined, message: string) => never, lineOf: (node: YamlNode) => number): Waiver {
  if (!isMap(node)) return fail(node, 'a waiver is a mapping with rule, at, reason and expires');
  const fields = new Map<string, { value: unknown; node: YamlNode }>();
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!['rule', 'at', 'reason', 'expires'].includes(key)) fail(pair.key as YamlNode, `unknown waiver key ${JSON.stringify(key)} (expected rule, at, reason, expires)`);
    const value = pair.value as YamlNode | null;
    fields.set(key, { value: isScalar(value) ? value.value : undefined, node: value ?? (pair.key as YamlNode) });
  }
  const text = (key: string): string => {
    const field = fields.get(key);
    if (field === undefined) return fail(node, `waiver is missing \`${key}\``);
    if (field.value instanceof Date) return field.value.toISOString().slice(0, 10);
    if (typeof field.value !== 'string' || field.value.trim() === '') return fail(field.node, `waiver \`${key}\` must be a non-empty string`);
    return field.value;
  };
  const rule = text('rule');
  if (!RULES.has(rule)) fail(fields.get('rule')?.node, `unknown rule id ${JSON.stringify(rule)} (see docs/spec-review-rules.md)`);
  const expires = text('expires');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(expires) || Number.isNaN(Date.parse(expires))) fail(fields.get('expires')?.node, `expires must be a date, YYYY-MM-DD, not ${JSON.stringify(expires)}`);
  return { rule, at: text('at'), reason: text('reason'), expires, line: lineOf(node) };
}
