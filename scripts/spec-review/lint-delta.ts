/**
 * Lint delta: the Redocly problems (the repo's redocly.yaml, or Redocly's recommended ruleset) that
 * the head spec has and the base spec had not, through @redocly/openapi-core's Node API.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createConfig, lintFromString, loadConfig } from '@redocly/openapi-core';
import { lineOf, readSpec } from './document.js';
import type { SpecSource } from './review.js';

/** A new lint problem, placed in the head document. */
export interface LintProblem {
  readonly message: string;
  readonly where: string;
  readonly file: string;
  readonly line: number;
  readonly pointer: string;
}

/** Lints both sides; answers the head's problems that the base did not have (matched by rule, message and place). */
export async function lintDelta(base: SpecSource, head: SpecSource, configPath: string | undefined): Promise<LintProblem[]> {
  const path = configPath ?? (existsSync('redocly.yaml') ? 'redocly.yaml' : undefined);
  const config = path === undefined ? await createConfig({ extends: ['recommended'] }) : await loadConfig({ configPath: path });
  const lint = async (side: SpecSource) =>
    (await lintFromString({ source: side.text, absoluteRef: resolve(side.file.replace(/^.*:/, '') || 'openapi.yaml'), config })).map((p) => {
      const location = p.location[0];
      const pointer = location?.pointer ?? '#/';
      return { key: `${p.ruleId}\u0000${p.message}\u0000${pointer}`, ruleId: p.ruleId, message: p.message, pointer, severity: p.severity };
    });
  const [before, after] = [await lint(base), await lint(head)];
  const seen = new Set(before.map((p) => p.key));
  const doc = readSpec(head.text, head.file);
  return after
    .filter((p) => !seen.has(p.key))
    .map((p) => {
      const pointer = p.pointer.replace(/^#\/?$/, '#').replace(/\/$/, '');
      return { message: `${p.ruleId} (${p.severity}): ${p.message}`, where: pointer, file: head.file, line: lineOf(doc, pointer), pointer };
    });
}
