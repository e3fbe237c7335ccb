/** The Markdown report, for a pull-request comment and the job summary. */
import type { Finding, Review } from './review.js';
import { RULES } from './rules.js';

/** Marks the review's PR comment, so that the workflow updates it in place instead of adding another. */
export const COMMENT_MARKER = '<!-- spec-review -->';

/** Rows shown per table; a GitHub comment holds at most 65,536 characters. */
const MAX_ROWS = 150;
const MAX_CHARS = 60_000;

/** Renders a review: a verdict line, then the findings by level, waivers and the client impact. */
export function renderMarkdown(review: Review): string {
  const { counts } = review;
  const lines = [COMMENT_MARKER, `## Spec review: ${code(review.base.file)} → ${code(review.head.file)}`, ''];
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const totals = `${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${counts.info} info, ${counts.waived} waived`;
  const versions = `\`info.version\` ${review.base.version ?? '(none)'} → ${review.head.version ?? '(none)'}`;
  if (review.findings.length === 0 && review.formattingOnly) {
    // Issue 16: the report never says "no changes" while the documents differ.
    lines.push(`✅ The documents differ only in formatting or key order: no change to the API contract. ${versions}.`);
  } else if (review.findings.length === 0) lines.push(`✅ The documents are the same: no changes. ${versions}.`);
  else if (review.failed) {
    const why = [counts.error > 0 ? 'unwaived errors (breaking changes)' : '', review.expiredWaivers.length > 0 ? 'expired waivers' : ''].filter(Boolean).join(' and ');
    lines.push(`❌ **Fails: ${why}.** ${totals}; ${versions}.`);
  } else lines.push(`✅ **No unwaived breaking change.** ${totals}; ${versions}.`);

  const active = review.findings.filter((f) => f.waiver === undefined);
  table(lines, '### ❌ Errors (breaking)', active.filter((f) => f.level === 'error'), false);
  table(lines, '### ⚠️ Warnings (likely breaking, or review by hand)', active.filter((f) => f.level === 'warning'), false);
  table(lines, 'ℹ️ Info (safe changes)', active.filter((f) => f.level === 'info'), true);
  const waived = review.findings.filter((f) => f.waiver !== undefined);
  if (waived.length > 0) {
    lines.push('', `### Waived (${waived.length})`, '', '| Rule | Where | Change | Reason | Expires |', '| --- | --- | --- | --- | --- |');
    for (const f of waived.slice(0, MAX_ROWS)) lines.push(`| ${code(f.rule)} | ${cell(f.where)} | ${cell(f.message)} | ${cell(f.waiver?.reason ?? '')} | ${f.waiver?.expires ?? ''} |`);
  }
  if (review.expiredWaivers.length > 0) {
    lines.push('', `### ❌ Expired waivers (${review.expiredWaivers.length})`, '', 'Renew them (with a new reason) or fix the change; an expired waiver fails the review.', '');
    for (const w of review.expiredWaivers) lines.push(`- ${code(w.rule)} at ${cell(w.at)}: expired ${w.expires} (line ${w.line}): ${cell(w.reason)}`);
  }
  if (review.unusedWaivers.length > 0) {
    lines.push('', `Waivers that match no finding (remove them): ${review.unusedWaivers.map((w) => `${code(w.rule)} at ${cell(w.at)} (line ${w.line})`).join(', ')}`);
  }
  clientImpact(lines, review);
  const text = `${lines.join('\n')}\n`;
  if (text.length <= MAX_CHARS) return text;
  // A PR comment holds 65,536 characters: cut at a line, and point to the full report.
  const cut = text.lastIndexOf('\n', MAX_CHARS - 200);
  return `${text.slice(0, cut)}\n\n… the report is cut here; the JSON report (\`--format json\`) has every finding.\n`;
}

function table(lines: string[], title: string, findings: readonly Finding[], folded: boolean): void {
  if (findings.length === 0) return;
  const header = ['| Rule | Where | Change | Source | Operations |', '| --- | --- | --- | --- | --- |'];
  const rows = findings.slice(0, MAX_ROWS).map((f) => {
    const ops = f.operations.length > 3 ? `${f.operations.slice(0, 3).join(', ')} and ${f.operations.length - 3} more` : f.operations.join(', ');
    return `| ${code(f.rule)} | ${cell(f.where)} | ${cell(f.message)} | ${code(`${f.file}:${f.line}`)} | ${cell(ops)} |`;
  });
  if (findings.length > MAX_ROWS) rows.push(`| … | ${findings.length - MAX_ROWS} more in the JSON report | | | |`);
  const legend = [...new Set(findings.map((f) => f.rule))].map((id) => `- ${code(id)}: ${RULES.get(id)?.summary ?? ''}`);
  if (folded) lines.push('', `<details><summary>${title} (${findings.length})</summary>`, '', ...header, ...rows, '', '</details>');
  else lines.push('', `${title} (${findings.length})`, '', ...header, ...rows, '', '<details><summary>What these rules mean</summary>', '', ...legend, '', '</details>');
}

function clientImpact(lines: string[], review: Review): void {
  const impact = review.clientImpact;
  if (impact === undefined) return;
  const total = impact.typesAdded.length + impact.typesRemoved.length + impact.fields.length;
  lines.push('', '### Client impact (generated TypeScript types)', '');
  if (impact.error !== undefined) {
    lines.push(`Not available: ${impact.error}`);
    return;
  }
  if (total === 0) {
    lines.push('The types that `openapi-typescript` generates are the same on both sides.');
    return;
  }
  if (impact.typesRemoved.length > 0) lines.push(`- Types removed: ${impact.typesRemoved.map(code).join(', ')}`);
  if (impact.typesAdded.length > 0) lines.push(`- Types added: ${impact.typesAdded.map(code).join(', ')}`);
  if (impact.fields.length > 0) {
    lines.push('', '| Type | Field | Change | Before | After |', '| --- | --- | --- | --- | --- |');
    for (const f of impact.fields.slice(0, MAX_ROWS)) lines.push(`| ${code(f.type)} | ${code(f.field)} | ${f.change} | ${f.base === undefined ? '' : code(f.base)} | ${f.head === undefined ? '' : code(f.head)} |`);
    if (impact.fields.length > MAX_ROWS) lines.push(`| … | ${impact.fields.length - MAX_ROWS} more in the JSON report | | | |`);
  }
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
