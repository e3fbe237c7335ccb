/** Reviews a spec change: every finding with its level, place and line, after the config's overrides and waivers. */
import { readFileSync } from 'node:fs';
import type { ClientImpact } from './client-impact.js';
import { EMPTY_CONFIG, type ReviewConfig, type Waiver } from './config.js';
import { diffComponents } from './components.js';
import { Differ, same } from './differ.js';
import { changedParts } from './changed-parts.js';
import { fileOf, lineOf, type ReadRef, readSpec, type SpecDocument } from './document.js';
import { diffGlobalSecurity, diffPaths } from './operations.js';
import { rule, type Level } from './rules.js';

/** One side of the comparison: the spec's text, the file name to show, and how to read the files its `$ref`s name. */
export interface SpecSource {
  readonly text: string;
  readonly file: string;
  /** Reads another file by its path (`file`'s directory joined with the `$ref`); default: from the file system. */
  readonly readRef?: ReadRef;
}

/** What to review and how. */
export interface ReviewOptions {
  readonly config?: ReviewConfig;
  /** Today as YYYY-MM-DD (for `x-sunset` and waiver expiry); defaults to the real date. */
  readonly today?: string;
  /** Compare the openapi-typescript output of both sides (default true). */
  readonly clientImpact?: boolean;
  /** Lint both sides with Redocly and report new problems; the value is the redocly.yaml path, or false. */
  readonly lint?: string | false;
}

/** One finding, as every output format shows it. */
export interface Finding {
  readonly rule: string;
  readonly level: Level;
  /** The level in the catalogue, before the config's override. */
  readonly defaultLevel: Level;
  readonly message: string;
  readonly where: string;
  readonly file: string;
  readonly line: number;
  readonly pointer: string;
  readonly operations: readonly string[];
  readonly waiver?: { readonly reason: string; readonly expires: string };
}

/** The result of a review. */
export interface Review {
  readonly base: { readonly file: string; readonly version: string | undefined };
  readonly head: { readonly file: string; readonly version: string | undefined };
  readonly findings: readonly Finding[];
  readonly expiredWaivers: readonly Waiver[];
  readonly unusedWaivers: readonly Waiver[];
  readonly clientImpact: ClientImpact | undefined;
  /** The texts differ but the parsed documents are the same (formatting, key order, comments): no change to the contract. */
  readonly formattingOnly: boolean;
  readonly counts: Readonly<Record<Level | 'waived', number>>;
  /** True when an unwaived error or an expired waiver remains. */
  readonly failed: boolean;
}

/** Compares `base` with `head`. */
export async function review(base: SpecSource, head: SpecSource, options: ReviewOptions = {}): Promise<Review> {
  const config = options.config ?? EMPTY_CONFIG;
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const { raw, parts, versions, formattingOnly } = compare(base, head, today, options.clientImpact !== false);
  // Under node --expose-gc (as npm run spec:review runs it) the parsed documents are freed now, before
  // TypeScript loads: the peak RSS of the bench review drops from 375 MB to 290 MB.
  (globalThis as { gc?: () => void }).gc?.();
  // The parsed documents are out of scope here: the client impact and the lint delta, which load
  // TypeScript and Redocly, reuse their memory (npm run bench:spec-review measures the peak).
  let impact: ClientImpact | undefined;
  if (parts !== undefined) {
    const { clientImpact } = await import('./client-impact.js');
    try {
      impact = await clientImpact(...parts);
    } catch (error) {
      // openapi-typescript refuses some documents the review can read (duplicate operationIds...).
      impact = { typesAdded: [], typesRemoved: [], fields: [], error: `openapi-typescript could not generate types: ${(error as Error).message.split('\n')[0]}` };
    }
  }
  if (options.lint !== false) {
    const { lintDelta } = await import('./lint-delta.js');
    for (const problem of await lintDelta(base, head, options.lint)) raw.push({ rule: 'lint-problem-added', ...problem, operations: [] });
  }
  return judge(raw, config, today, { base: { file: base.file, version: versions[0] }, head: { file: head.file, version: versions[1] }, impact, formattingOnly });
}

/** The rules' findings with their lines, and what the client impact needs of both documents. */
function compare(base: SpecSource, head: SpecSource, today: string, impact: boolean) {
  const fromDisk: ReadRef = (path) => readFileSync(path, 'utf8');
  const [b, h] = [readSpec(base.text, base.file, base.readRef ?? fromDisk), readSpec(head.text, head.file, head.readRef ?? fromDisk)];
  const d = new Differ(b, h, today);
  diffPaths(d);
  diffGlobalSecurity(d);
  diffComponents(d);
  const warned = new Set<string>();
  for (const side of ['head', 'base'] as const) {
    for (const [file, { ref, ptr, reason }] of d.doc(side).unreadable) {
      if (warned.has(file)) continue;
      warned.add(file);
      d.emit('external-ref-unreadable', side, ptr, `$ref ${ref}`, `cannot read ${file} (${reason}): what it holds is not reviewed; review it by hand`);
    }
  }
  if (d.findings().length === 0 && !same(b.root, h.root)) {
    // The last safety net: the report never says "no changes" while the documents differ.
    d.emit('unclassified-change', 'head', '#', 'document', 'the documents differ in a way no rule covers; review by hand');
  }
  const raw: Unjudged[] = d.findings().map((f) => {
    // oasdiff leaves draft and alpha operations out of its breaking-change checks (docs/STABILITY.md).
    const belowBeta = f.operations.size > 0 && [...f.operations].every((op) => d.unstable.has(op)) && !/stability/.test(f.rule);
    return {
      rule: f.rule,
      message: belowBeta && rule(f.rule).level !== 'info' ? `${f.message} (x-stability-level below beta: not held to the breaking-change rules)` : f.message,
      where: f.where,
      file: fileOf(d.doc(f.side), f.ptr),
      line: lineOf(d.doc(f.side), f.ptr),
      pointer: f.ptr,
      operations: [...f.operations].sort(),
      belowBeta,
    };
  });
  const version = (doc: SpecDocument) => {
    const info = doc.root.info as Record<string, unknown> | undefined;
    return info?.version === undefined ? undefined : String(info.version);
  };
  const formattingOnly = base.text !== head.text && same(b.root, h.root);
  return { raw, parts: impact ? changedParts(b.root, h.root) : undefined, versions: [version(b), version(h)] as const, formattingOnly };
}

/** A finding before its level is set; `belowBeta` when every operation it affects is draft or alpha, which makes it info. */
type Unjudged = Omit<Finding, 'level' | 'defaultLevel' | 'waiver'> & { readonly belowBeta?: boolean };

interface Sides {
  readonly base: Review['base'];
  readonly head: Review['head'];
  readonly impact: ClientImpact | undefined;
  readonly formattingOnly: boolean;
}

function judge(raw: Unjudged[], config: ReviewConfig, today: string, sides: Sides): Review {
  const used = new Set<Waiver>();
  const expired = config.waivers.filter((w) => w.expires < today);
  const findings = raw.map(({ belowBeta, ...f }): Finding => {
    const defaultLevel = rule(f.rule).level;
    const level = config.severity.get(f.rule) ?? (belowBeta === true ? 'info' : defaultLevel);
    const waiver = config.waivers.find((w) => w.expires >= today && w.rule === f.rule && (w.at === f.where || w.at === f.pointer || f.operations.includes(w.at)));
    if (waiver === undefined) return { ...f, level, defaultLevel };
    used.add(waiver);
    return { ...f, level, defaultLevel, waiver: { reason: waiver.reason, expires: waiver.expires } };
  });
  const order: Record<Level, number> = { error: 0, warning: 1, info: 2 };
  findings.sort((x, y) => order[x.level] - order[y.level]);
  const counts = { error: 0, warning: 0, info: 0, waived: 0 };
  for (const f of findings) {
    if (f.waiver !== undefined) counts.waived++;
    else counts[f.level]++;
  }
  return {
    base: sides.base,
    head: sides.head,
    findings,
    expiredWaivers: expired,
    unusedWaivers: config.waivers.filter((w) => !used.has(w) && !expired.includes(w)),
    clientImpact: sides.impact,
    formattingOnly: sides.formattingOnly,
    counts,
    failed: counts.error > 0 || expired.length > 0,
  };
}
