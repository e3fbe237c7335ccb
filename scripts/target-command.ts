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

/** What the shell gives a run. */
export interface RunContext {
  /** Aborts on the first Ctrl-C (SIGINT) or SIGTERM; the run must still clean up after itself. */
  signal: AbortSignal;
  /** The run calls this once it has reserved car ids on a target, so that a forced exit can name them. */
  reserved(url: string, ids: readonly number[]): void;
}

/** A command that runs against a target. */
export interface TargetCommand<Options> {
  /** Prefixes every line it prints, e.g. `contract`. */
  name: string;
  /** How it is started, for the hint after an option error, e.g. `npm run test:contract --`. */
  invocation: string;
  help: string;
  /** Reads the command line; undefined for --help; throws on a bad option. */
  parse(env: NodeJS.ProcessEnv): Options | undefined;
  /** Runs; when `context.signal` aborts, it stops and still cleans up after itself. */
  run(options: Options, context: RunContext): Promise<{ passed: boolean; markdown: string }>;
  /** Where --markdown asked the summary to go. */
  markdownFile(options: Options): string | undefined;
}

/** What the help of a target command says about Ctrl-C; see {@link interruptHandler}. */
export const CTRL_C_HELP = `Ctrl-C stops the run and deletes the cars it created; pressed again while that cleanup runs, it
says so; a third time exits at once (code 130), naming the reserved car ids it may leave behind.`;

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
    process.stderr.write(`${command.name}: ${optionErrorLine(err as Error)}\nRun '${command.invocation} --help' for the options.\n`);
    return 2;
  }
  if (options === undefined) {
    process.stdout.write(`${command.help}\n`);
    return 0;
  }

  const abort = new AbortController();
  let reservation: { url: string; ids: readonly number[] } | undefined;
  const onSignal = interruptHandler(command.name, abort, () => reservation, (line) => process.stderr.write(`${line}\n`), (code) => process.exit(code));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const context: RunContext = { signal: abort.signal, reserved: (url, ids) => (reservation = { url, ids: [...ids] }) };
    const { passed, markdown } = await command.run(options, context);
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

/**
 * The SIGINT/SIGTERM handler of a run. The first signal aborts the run, which then cleans up (a
 * run against a URL deletes the cars it created); a second one, while that cleanup runs, only
 * says so, since exiting then would leave cars behind; a third exits at once with 130 and names
 * the reserved ids that may still hold the run's cars.
 */
export function interruptHandler(
  name: string,
  abort: AbortController,
  reservation: () => { url: string; ids: readonly number[] } | undefined,
  say: (line: string) => void,
  exit: (code: number) => void,
): () => void {
  let count = 0;
  return () => {
    count++;
    const held = reservation();
    const ids = held && held.ids.length > 0 ? `car ids ${held.ids.join(', ')} on ${held.url}` : undefined;
    if (count === 1) {
      say(`${name}: stopping; ${ids ? `deleting the cars it created (reserved ${ids})` : 'shutting down'}`);
      abort.abort();
    } else if (count === 2) {
      say(`${name}: still cleaning up${ids ? ` (reserved ${ids})` : ''}; press Ctrl-C once more to exit now${ids ? ' and leave what is not deleted yet' : ''}`);
    } else {
      say(ids ? `${name}: exiting before the cleanup finished; reserved ${ids} may still hold cars of this run` : `${name}: exiting now; no car ids were reserved, so none are left behind`);
      exit(130);
    }
  };
}

/** A command-line error from parseArgs (or our own checks) as one short line. */
export function optionErrorLine(err: Error & { code?: string }): string {
  const option = /'(-[^' ]+)/.exec(err.message)?.[1] ?? '';
  switch (err.code) {
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/argument missing/.test(err.message)) return `${option} needs a value`;
      // `--url --api-key K`: parseArgs will not take a value that looks like an option.
      if (/ambiguous/.test(err.message)) return `${option} needs a value (one starting with a dash goes as ${option}=-VALUE)`;
      return `${option} takes no value`;
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument "${/'([^']*)'/.exec(err.message)?.[1] ?? ''}": every value follows its option`;
    default:
      return err.message.split('\n')[0] ?? '';
  }
}
