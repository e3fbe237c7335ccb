/**
 * The shell shared by the commands that run against a target (`test:contract`, `fuzz`): option
 * errors, Ctrl-C, exit codes (0 passed, 1 failed, 2 could not run, in one line), and the Markdown
 * summary for a CI job page.
 */
import { appendFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { TargetError } from '../test/contract/remote-target.js';

/** The options every target command takes; see {@link parseTargetArgs}. */
export interface TargetArgs {
  url?: string;
  /** --api-key, or CARS_API_KEY when --url is given. */
  apiKey?: string;
  readOnly: boolean;
  idBase?: number;
  /** --reporter junit: the absolute path of --output (or the default file). */
  junit?: string;
  markdown?: string;
}

const TARGET_OPTIONS = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
  'read-only': { type: 'boolean' },
  'id-base': { type: 'string' },
  reporter: { type: 'string' },
  output: { type: 'string' },
  markdown: { type: 'string' },
  help: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

/**
 * Parses the command line: the target options plus the command's own (`extra`, whose names in
 * `remoteOnly` need --url too). Undefined for --help; throws on a bad option.
 */
export function parseTargetArgs<Extra extends NonNullable<ParseArgsConfig['options']>>(
  env: NodeJS.ProcessEnv,
  { extra, remoteOnly = [], junitDefault }: { extra: Extra; remoteOnly?: readonly (keyof Extra & string)[]; junitDefault: string },
) {
  const { values } = parseArgs({ options: { ...TARGET_OPTIONS, ...extra }, strict: true });
  const own = values as Record<string, string | boolean | undefined>;
  if (own.help) return undefined;
  const text = (name: string) => (typeof own[name] === 'string' ? (own[name] as string) : undefined);
  const reporter = text('reporter');
  if (reporter !== undefined && !['junit', 'xunit'].includes(reporter)) throw new Error(`--reporter must be junit, got "${reporter}"`);
  if (text('output') !== undefined && reporter === undefined) throw new Error('--output needs --reporter junit');
  const url = text('url');
  const stray = ['api-key', 'read-only', 'id-base', ...remoteOnly].find((name) => own[name] !== undefined);
  if (url === undefined && stray) throw new Error(`--${stray} needs --url`);
  const idBase = positiveInteger('id-base', text('id-base'));
  const readOnly = own['read-only'] === true;
  if (idBase !== undefined && readOnly) throw new Error('--id-base reserves ids to write, and --read-only writes none');
  const apiKey = text('api-key') ?? (url !== undefined ? env.CARS_API_KEY : undefined);
  const target: TargetArgs = {
    readOnly,
    ...(url !== undefined && { url }),
    ...(apiKey && { apiKey }),
    ...(idBase !== undefined && { idBase }),
    ...(reporter !== undefined && { junit: resolve(text('output') ?? junitDefault) }),
    ...(text('markdown') !== undefined && { markdown: text('markdown') }),
  };
  return { target, values: values as { [K in keyof Extra]?: Extra[K]['type'] extends 'boolean' ? boolean : string } };
}

/** A positive whole number from option `name`, or undefined when it is absent. */
export function positiveInteger(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${text}"`);
  return n;
}

/** A command that runs against a target. */
export interface TargetCommand<Options> {
  /** Prefixes every line it prints, e.g. `contract`. */
  name: string;
  help: string;
  /** Reads the command line; undefined for --help; throws on a bad option. */
  parse(env: NodeJS.ProcessEnv): Options | undefined;
  /** Runs; the signal aborts on SIGINT or SIGTERM, and the run must still clean up after itself. */
  run(options: Options, signal: AbortSignal): Promise<{ passed: boolean; markdown: string }>;
  /** Where --markdown asked the summary to go. */
  markdownFile(options: Options): string | undefined;
}

/** Runs the command and sets process.exitCode. */
export function runTargetCommand<Options>(command: TargetCommand<Options>): void {
  main(command).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${command.name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}

async function main<Options>(command: TargetCommand<Options>): Promise<number> {
  let options: Options | undefined;
  try {
    options = command.parse(process.env);
  } catch (err) {
    process.stderr.write(`${command.name}: ${(err as Error).message}\n\n${command.help}\n`);
    return 2;
  }
  if (options === undefined) {
    process.stdout.write(`${command.help}\n`);
    return 0;
  }

  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const { passed, markdown } = await command.run(options, abort.signal);
    const file = command.markdownFile(options);
    if (file !== undefined) await writeFile(file, markdown);
    // GitHub Actions shows this file on the job's page.
    if (process.env.GITHUB_STEP_SUMMARY) await appendFile(process.env.GITHUB_STEP_SUMMARY, markdown);
    return passed ? 0 : 1;
  } catch (err) {
    if (err instanceof TargetError) {
      process.stderr.write(`${command.name}: ${err.message}\n`);
      return 2;
    }
    throw err;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
