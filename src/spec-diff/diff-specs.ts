/** Diffs two versions of a spec and decides whether the change may ship under its version number. */
import { readDocument, type OpenApiDocument } from './document.js';
import { diffOperations } from './diff-operations.js';
import { collectChanges, type Change } from './rules.js';

/** One side of a diff: where the spec came from, and its `info.version`. */
export interface DiffSide {
  readonly label: string;
  readonly version: string | undefined;
}

/** The classified changes between two specs, and the verdict. */
export interface SpecDiff {
  readonly base: DiffSide;
  readonly head: DiffSide;
  readonly changes: readonly Change[];
  readonly breaking: readonly Change[];
  readonly nonBreaking: readonly Change[];
  /** Whether the head's `info.version` has a greater major version than the base's. */
  readonly majorBumped: boolean;
  /** Breaking changes without a major version bump: the review fails. */
  readonly failed: boolean;
}

/** The classified changes between two parsed, dereferenced specs. */
export function diffDocuments(base: OpenApiDocument, head: OpenApiDocument): Change[] {
  const { changes, report } = collectChanges();
  diffOperations(base, head, report);
  return changes;
}

/** Parses both specs (YAML or JSON text), diffs them and gives the verdict. */
export async function diffSpecs(
  baseText: string,
  headText: string,
  labels: { base: string; head: string } = { base: 'base', head: 'head' },
): Promise<SpecDiff> {
  const [base, head] = await Promise.all([readDocument(baseText, labels.base), readDocument(headText, labels.head)]);
  const changes = diffDocuments(base, head);
  const breaking = changes.filter((c) => c.breaking);
  const majorBumped = isMajorBump(base.info?.version, head.info?.version);
  return {
    base: { label: labels.base, version: base.info?.version },
    head: { label: labels.head, version: head.info?.version },
    changes,
    breaking,
    nonBreaking: changes.filter((c) => !c.breaking),
    majorBumped,
    failed: breaking.length > 0 && !majorBumped,
  };
}

/** Whether `head`'s major version (`2` in `2.0.0` or `v2.1`) is greater than `base`'s; false when either has none. */
export function isMajorBump(base: string | undefined, head: string | undefined): boolean {
  const major = (version: string | undefined) => /^v?(\d+)(?:\.|$)/.exec(version ?? '')?.[1];
  const [b, h] = [major(base), major(head)];
  return b !== undefined && h !== undefined && Number(h) > Number(b);
}
