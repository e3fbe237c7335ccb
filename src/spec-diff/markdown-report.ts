/** Renders a spec diff as Markdown, ready to paste as a pull-request comment. */
import type { SpecDiff } from './diff-specs.js';
import { RULES, type Change } from './rules.js';

/** The whole report: a verdict line, then one table of breaking and one of non-breaking changes. */
export function renderMarkdown(diff: SpecDiff): string {
  const lines = [`## API contract changes: ${code(diff.base.label)} → ${code(diff.head.label)}`, ''];
  const versions = `\`info.version\` ${diff.base.version ?? '(none)'} → ${diff.head.version ?? '(none)'}`;
  const count = (n: number, what: string) => `${n} ${what} change${n === 1 ? '' : 's'}`;
  if (diff.changes.length === 0) {
    lines.push(`✅ No changes to the API contract. ${versions}.`);
    return lines.join('\n') + '\n';
  }
  const totals = `${count(diff.breaking.length, 'breaking')}, ${count(diff.nonBreaking.length, 'non-breaking')}`;
  if (diff.failed) {
    lines.push(`❌ **${totals}**; ${versions}.`, '');
    lines.push('> Breaking changes need a major version bump of `info.version` (or a change that keeps existing clients working).');
  } else if (diff.breaking.length > 0) {
    lines.push(`⚠️ **${totals}**; allowed by the major version bump: ${versions}.`);
  } else {
    lines.push(`✅ **${totals}**; ${versions}.`);
  }
  section(lines, 'Breaking changes', diff.breaking);
  section(lines, 'Non-breaking changes', diff.nonBreaking);
  return lines.join('\n') + '\n';
}

function section(lines: string[], title: string, changes: readonly Change[]): void {
  if (changes.length === 0) return;
  lines.push('', `### ${title} (${changes.length})`, '', '| Rule | Where | Change |', '| --- | --- | --- |');
  for (const change of changes) {
    lines.push(`| ${code(change.rule)} | ${cell(change.where)} | ${cell(change.message)} |`);
  }
  lines.push('', '<details><summary>Rules</summary>', '');
  for (const rule of new Set(changes.map((c) => c.rule))) lines.push(`- ${code(rule)}: ${RULES[rule].summary}`);
  lines.push('', '</details>');
}

/** A table cell: pipes escaped so they do not split the cell, newlines folded. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|').replace(/\r?\n/g, ' ');
}

/** An inline code span that survives backticks in its text (CommonMark: a longer fence). */
function code(text: string): string {
  const fence = '`'.repeat(Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length)) + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${cell(text)}${pad}${fence}`;
}
