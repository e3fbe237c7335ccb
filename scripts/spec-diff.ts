/** `npm run spec:diff -- <git-ref>`: the breaking-change review of the spec, as a Markdown report. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { diffSpecs, renderMarkdown } from '../src/spec-diff/index.js';

const USAGE = `Usage:
  npm run spec:diff -- <git-ref> [--spec <path>]
  npm run spec:diff -- --base-file <path> [--head-file <path>]

Compares the spec at <git-ref> (git show <git-ref>:<spec>), or in --base-file, with the
working copy (or --head-file), classifies every change as breaking or non-breaking and
prints a Markdown report for a pull-request comment.

Options:
  --spec <path>       the spec's path, relative to the current directory
                      (default: spec/cars.openapi.yaml)
  --base-file <path>  read the base spec from this file instead of git
  --head-file <path>  read the head spec from this file (default: the --spec path)
  -h, --help          show this help

Exit status: 0 when nothing breaks or info.version's major was bumped, 1 on breaking
changes without a major bump, 2 on a usage error or a spec that cannot be read.
`;

/** Why the run stopped before diffing: exit 2 with the message. */
class UsageError extends Error {}

function readBase(ref: string | undefined, baseFile: string | undefined, spec: string): { text: string; label: string } {
  if (baseFile !== undefined) {
    if (ref !== undefined) throw new UsageError('give either a git ref or --base-file, not both');
    return { text: readText(baseFile), label: baseFile };
  }
  if (ref === undefined) throw new UsageError('give the git ref to compare with, such as HEAD~1 or origin/main');
  try {
    // `./` makes the path relative to the current directory rather than to the repository root.
    const text = execFileSync('git', ['show', `${ref}:./${spec}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
    return { text, label: `${ref}:${spec}` };
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw new UsageError(`cannot read ${spec} at ${ref}: ${stderr || (error as Error).message}`);
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      spec: { type: 'string', default: 'spec/cars.openapi.yaml' },
      'base-file': { type: 'string' },
      'head-file': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`expected one git ref, got ${positionals.join(' ')}`);
  const base = readBase(positionals[0], values['base-file'], values.spec);
  const headPath = values['head-file'] ?? values.spec;
  const headText = readText(headPath);
  const diff = await diffSpecs(base.text, headText, { base: base.label, head: `${headPath} (working copy)` });
  process.stdout.write(renderMarkdown(diff));
  return diff.failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`spec:diff: ${message}\n${error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? `\n${USAGE}` : ''}`);
    process.exitCode = 2;
  },
);
