/**
 * `npm run spec:review -- <git-ref>`: the one entry point of the spec review, for people and for
 * the pull-request workflow (.github/workflows/spec-review.yml). Exit 0 when the change may
 * merge, 1 on an unwaived error or an expired waiver, 2 on a usage, config or spec error.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, EMPTY_CONFIG, parseConfig } from './config.js';
import { SpecReadError } from './document.js';
import { renderGithub, renderJson, renderJunit } from './format-machine.js';
import { renderMarkdown } from './format-markdown.js';
import { review, type Review, type SpecSource } from './review.js';

const USAGE = `Usage:
  npm run spec:review -- <git-ref> [options]
  npm run spec:review -- --base-file <path> [--head-file <path>] [options]

Compares the spec at <git-ref> (git show <git-ref>:<spec>), or in --base-file, with the
working copy (or --head-file), and reports every change with its level (error: breaking,
warning: likely breaking or review by hand, info: safe), its rule id and its file:line.
Rules: docs/spec-review-rules.md.

Options:
  --spec <path>           the spec's path (default: spec/cars.openapi.yaml)
  --base-file <path>      read the base spec from this file instead of git
  --head-file <path>      read the head spec from this file (default: the --spec path)
  --config <path>         severity overrides and waivers (default: spec-review.yaml, if present)
  --format <name>         what to print: markdown (default), json, github, junit
  --write <name>=<path>   also write a format to a file; repeatable (markdown=review.md)
  --lint-config <path>    Redocly config for the lint delta (default: redocly.yaml, if present)
  --no-lint               skip the lint delta
  --no-client-impact      skip comparing the generated TypeScript types
  --today <YYYY-MM-DD>    the date for x-sunset and waiver expiry (default: today)
  -h, --help              show this help

With --format github, findings become workflow annotations and the Markdown report is
appended to $GITHUB_STEP_SUMMARY when it is set.

Exit status: 0 when nothing blocks the change, 1 on an unwaived error or an expired
waiver, 2 on a usage error, or a spec or config that cannot be read.
`;

/** Why the run stopped before reviewing: exit 2 with the message. */
class UsageError extends Error {}

const FORMATS = ['markdown', 'json', 'github', 'junit'] as const;
type Format = (typeof FORMATS)[number];

function readBase(ref: string | undefined, baseFile: string | undefined, spec: string): SpecSource {
  if (baseFile !== undefined) {
    if (ref !== undefined) throw new UsageError('give either a git ref or --base-file, not both');
    return { text: readText(baseFile), file: baseFile };
  }
  if (ref === undefined) throw new UsageError('give the git ref to compare with, such as origin/main, or --base-file');
  // `./` makes the path relative to the current directory rather than to the repository root.
  const show = (path: string) => execFileSync('git', ['show', `${ref}:./${path}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
  try {
    // Files that the spec's `$ref`s name are read at the same ref.
    const readRef = (path: string) => {
      try {
        return show(path);
      } catch (error) {
        throw new Error(String((error as { stderr?: unknown }).stderr ?? '').trim() || `not at ${ref}`);
      }
    };
    return { text: show(spec), file: spec, readRef };
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

function render(format: Format, result: Review, configFile: string | undefined): string {
  if (format === 'json') return renderJson(result);
  if (format === 'junit') return renderJunit(result);
  if (format === 'github') return renderGithub(result, configFile);
  return renderMarkdown(result);
}

function asFormat(name: string): Format {
  if (!(FORMATS as readonly string[]).includes(name)) throw new UsageError(`unknown format ${JSON.stringify(name)} (expected ${FORMATS.join(', ')})`);
  return name as Format;
}

/** Runs the review for `argv`; answers the exit status. */
async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      spec: { type: 'string', default: 'spec/cars.openapi.yaml' },
      'base-file': { type: 'string' },
      'head-file': { type: 'string' },
      config: { type: 'string' },
      format: { type: 'string', default: 'markdown' },
      write: { type: 'string', multiple: true, default: [] },
      'lint-config': { type: 'string' },
      'no-lint': { type: 'boolean', default: false },
      'no-client-impact': { type: 'boolean', default: false },
      today: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`expected one git ref, got ${positionals.join(' ')}`);
  const format = asFormat(values.format);
  const writes = values.write.map((w) => {
    const [name = '', path] = w.split(/=(.*)/s);
    if (path === undefined || path === '') throw new UsageError(`--write takes <format>=<path>, not ${JSON.stringify(w)}`);
    return { format: asFormat(name), path };
  });
  if (values.today !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.today)) throw new UsageError('--today takes a date, YYYY-MM-DD');
  const configFile = values.config ?? (existsSync('spec-review.yaml') ? 'spec-review.yaml' : undefined);
  const config = configFile === undefined ? EMPTY_CONFIG : parseConfig(readText(configFile), configFile);
  const base = readBase(positionals[0], values['base-file'], values.spec);
  const headFile = values['head-file'] ?? values.spec;
  const head = { text: readText(headFile), file: headFile };
  const result = await review(base, head, {
    config,
    ...(values.today === undefined ? {} : { today: values.today }),
    clientImpact: !values['no-client-impact'],
    lint: values['no-lint'] ? false : values['lint-config'] ?? (existsSync('redocly.yaml') ? 'redocly.yaml' : undefined) ?? undefined,
  });
  process.stdout.write(render(format, result, configFile));
  for (const w of writes) writeFileSync(w.path, render(w.format, result, configFile));
  if (format === 'github' && env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, renderMarkdown(result));
  return result.failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    const known = usage || error instanceof ConfigError || error instanceof SpecReadError;
    process.stderr.write(`spec-review: ${known ? message : ((error as Error).stack ?? message)}\n${usage ? `\n${USAGE}` : ''}`);
    process.exitCode = 2;
  },
);
