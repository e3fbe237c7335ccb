/** The machine-readable outputs: JSON (schema in report.schema.json), GitHub workflow commands and JUnit XML. */
import type { Finding, Review } from './review.js';

/** The JSON report; its shape is described by report.schema.json. */
export function renderJson(review: Review): string {
  const report = {
    schemaVersion: 1,
    base: review.base,
    head: review.head,
    failed: review.failed,
    formattingOnly: review.formattingOnly,
    counts: review.counts,
    findings: review.findings,
    expiredWaivers: review.expiredWaivers,
    unusedWaivers: review.unusedWaivers,
    clientImpact: review.clientImpact ?? null,
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}

const COMMAND: Record<Finding['level'], string> = { error: 'error', warning: 'warning', info: 'notice' };

/**
 * GitHub workflow commands, one annotation per unwaived finding (`::error file=…,line=…::`), and
 * one per expired waiver. Data and properties are escaped as the runner expects
 * (actions/toolkit, packages/core/src/command.ts).
 */
export function renderGithub(review: Review, configFile: string | undefined): string {
  const data = (s: string) => s.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
  const property = (s: string) => data(s).replaceAll(':', '%3A').replaceAll(',', '%2C');
  const lines: string[] = [];
  for (const f of review.findings) {
    if (f.waiver !== undefined) continue;
    const ops = f.operations.length > 0 ? ` (${f.operations.slice(0, 5).join(', ')}${f.operations.length > 5 ? ', …' : ''})` : '';
    lines.push(`::${COMMAND[f.level]} file=${property(f.file)},line=${f.line},title=${property(`${f.rule}: ${f.where}`)}::${data(`${f.message}${ops}`)}`);
  }
  for (const w of review.expiredWaivers) {
    lines.push(`::error file=${property(configFile ?? 'spec-review.yaml')},line=${w.line},title=${property(`expired waiver: ${w.rule}`)}::${data(`waiver for ${w.at} expired ${w.expires}: ${w.reason}`)}`);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** JUnit XML: one test case per finding; unwaived errors and expired waivers fail, waived findings are skipped. */
export function renderJunit(review: Review): string {
  const xml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
  const cases = review.findings.map((f) => {
    const name = xml(`${f.rule}: ${f.where}`);
    const body = xml(`${f.message} (${f.file}:${f.line})${f.operations.length > 0 ? ` [${f.operations.join(', ')}]` : ''}`);
    const open = `    <testcase classname="spec-review.${f.level}" name="${name}" file="${xml(f.file)}" line="${f.line}">`;
    if (f.waiver !== undefined) return `${open}<skipped message="${xml(`waived until ${f.waiver.expires}: ${f.waiver.reason}`)}"/></testcase>`;
    if (f.level === 'error') return `${open}<failure type="${xml(f.rule)}" message="${body}">${body}</failure></testcase>`;
    return `${open}<system-out>${body}</system-out></testcase>`;
  });
  for (const w of review.expiredWaivers) {
    const body = xml(`waiver for ${w.at} expired ${w.expires}: ${w.reason}`);
    cases.push(`    <testcase classname="spec-review.waiver" name="${xml(`expired waiver: ${w.rule}`)}"><failure type="expired-waiver" message="${body}">${body}</failure></testcase>`);
  }
  const failures = review.findings.filter((f) => f.level === 'error' && f.waiver === undefined).length + review.expiredWaivers.length;
  const skipped = review.counts.waived;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="spec-review" tests="${cases.length}" failures="${failures}">`,
    `  <testsuite name="spec-review: ${xml(review.base.file)} → ${xml(review.head.file)}" tests="${cases.length}" failures="${failures}" skipped="${skipped}" errors="0">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
