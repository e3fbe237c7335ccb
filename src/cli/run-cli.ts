/** `runCli`: parses the command line, runs one command on the typed client, and turns the result into an exit code. */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createCarsClient } from '../client/index.js';
import { apiKeyFrom, baseUrlFrom, GLOBAL_OPTIONS, type OptionSpec, type OptionValues } from './cli-args.js';
import { addCommand, deleteCommand, getCommand, listCommand, patchCommand, updateCommand } from './car-commands.js';
import { EXIT, reportError, UsageError } from './cli-errors.js';
import type { CliStream, Command, CommandContext } from './command.js';
import { exportCommand } from './export-command.js';
import { importCommand } from './import-command.js';
import { commandHelp, mainHelp } from './usage.js';

/** Every command, in the order `cars --help` lists them. */
export const COMMANDS: readonly Command[] = [
  listCommand,
  getCommand,
  addCommand,
  updateCommand,
  patchCommand,
  deleteCommand,
  importCommand,
  exportCommand,
];

/** The process-facing parts the CLI uses, passed in so tests can run it in-process. */
export interface CliIo {
  stdout: CliStream;
  stderr: CliStream;
  env: Readonly<Record<string, string | undefined>>;
  /** The fetch the client uses (defaults to the global one). */
  fetch?: (input: Request) => Promise<Response>;
  /** Reads files for `import` (defaults to node:fs, relative to the working directory). */
  readFile?: (path: string) => Promise<string>;
}

/** Every option any command takes, so the command's name can be found wherever the flags are. */
const ALL_OPTIONS: Record<string, OptionSpec> = Object.assign({}, GLOBAL_OPTIONS, ...COMMANDS.map((c) => c.options));

/** `parseArgs`, with its errors (unknown flag, missing value) as usage errors. */
function parse(args: readonly string[], options: Record<string, OptionSpec>, strict: boolean) {
  try {
    return parseArgs({ args: [...args], options, strict, allowPositionals: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Runs `cars <argv>` and returns the exit code: 0 success, 1 API error or unreachable server, 2 usage error. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    // A first, lenient pass finds the command; the strict pass below knows which flags it takes.
    const { values: loose, positionals: loosePositionals } = parse(argv, ALL_OPTIONS, false);
    const [name, ...rest] = loosePositionals;
    const command = COMMANDS.find((c) => c.name === name);
    if (name === 'help' || (name === undefined && loose.help === true)) {
      const topic = COMMANDS.find((c) => c.name === rest[0]);
      io.stdout.write(topic ? commandHelp(topic) : mainHelp(COMMANDS));
      return EXIT.ok;
    }
    if (name === undefined) throw new UsageError('no command given');
    if (!command) throw new UsageError(`unknown command "${name}"`);
    if (loose.help === true) {
      io.stdout.write(commandHelp(command));
      return EXIT.ok;
    }

    const { values, positionals } = parse(argv, { ...GLOBAL_OPTIONS, ...command.options }, true);
    const args = positionals.slice(1);
    const missing = command.arguments[args.length];
    if (missing !== undefined) throw new UsageError(`${command.name}: missing <${missing}>`);
    if (args.length > command.arguments.length) throw new UsageError(`${command.name}: unexpected argument "${args[command.arguments.length]}"`);

    const ctx = contextFor(values, io);
    return await command.run(ctx, { values, positionals: args });
  } catch (err) {
    return reportError(err, io.stderr);
  }
}

/** The client and streams a command runs with. */
function contextFor(values: OptionValues, io: CliIo): CommandContext {
  const baseUrl = baseUrlFrom(values, io.env);
  const apiKey = apiKeyFrom(values, io.env);
  const client = createCarsClient({
    baseUrl,
    ...(io.fetch === undefined ? {} : { fetch: io.fetch }),
    ...(apiKey === undefined ? {} : { headers: { 'X-API-Key': apiKey } }),
  });
  return {
    client,
    baseUrl,
    json: values.json === true,
    stdout: io.stdout,
    stderr: io.stderr,
    readFile: io.readFile ?? ((path) => readFile(path, 'utf8')),
  };
}
