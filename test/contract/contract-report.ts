/** The contract run's reports for people: console lines and a Markdown summary for a CI job page. */
import { failureLines, type ContractRun } from './run-contract.js';

/** The "not exercisable against this target" section, as console lines (none when the list is empty). */
export function notExercisableLines(run: Pick<ContractRun, 'notExercisable'>): string[] {
  if (run.notExercisable.length === 0) return [];
  return [
    `Not exercisable against this target (${run.notExercisable.length}; listed, not failed):`,
    ...run.notExercisable.map(({ key, reason }) => `  - ${key}: ${reason}`),
  ];
}

/** A Markdown summary: the verdict, Dredd's counts, the failures, and what the target could not exercise. */
export function markdownSummary(run: ContractRun, problems: readonly string[]): string {
  const s = run.summary;
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [
    `## Contract run against ${run.target}: ${problems.length === 0 ? 'passed' : 'FAILED'}`,
    '',
    '| passing | failing | errors | skipped | total |',
    '|---|---|---|---|---|',
    s ? `| ${s.passing} | ${s.failing} | ${s.errors} | ${s.skipped} | ${s.total} |` : '| – | – | – | – | – |',
    '',
  ];
  if (problems.length > 0) lines.push('### Problems', '', ...problems.map((p) => `- ${cell(p)}`), '');
  const failures = failureLines(run.output);
  if (failures.length > 0) lines.push('### Failing transactions', '', '```', ...failures, '```', '');
  if (run.notExercisable.length > 0) {
    lines.push(
      `### Not exercisable against this target (${run.notExercisable.length})`,
      '',
      'These documented responses were not sent, and do not fail the run:',
      '',
      '| response | why |',
      '|---|---|',
      ...run.notExercisable.map(({ key, reason }) => `| \`${key}\` | ${cell(reason)} |`),
      '',
    );
  }
  return `${lines.join('\n')}\n`;
}
