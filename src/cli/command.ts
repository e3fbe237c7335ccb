/** What a CLI command is: its flags and arguments, its help line, and the function that runs it. */
import type { CarsClient } from '../client/index.js';
import type { OptionSpec, OptionValues } from './cli-args.js';

/** A stream the CLI writes to; `isTTY` and `columns` decide whether a progress bar is drawn. */
export interface CliStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** Everything a command may use; it never touches `process`. */
export interface CommandContext {
  readonly client: CarsClient;
  readonly baseUrl: string;
  /** `--json`: print the data as JSON instead of tables and summaries. */
  readonly json: boolean;
  readonly stdout: CliStream;
  readonly stderr: CliStream;
  /** Reads a file named on the command line (relative paths from the working directory). */
  readFile(path: string): Promise<string>;
}

/** The parsed command line of one command. */
export interface CommandArgs {
  readonly values: OptionValues;
  /** The positional arguments after the command name, one per name in `Command.arguments`. */
  readonly positionals: readonly string[];
}

/** One command of the CLI. */
export interface Command {
  readonly name: string;
  /** One line for `cars --help`. */
  readonly summary: string;
  /** The arguments and flags, e.g. `<id> [--model M]`. */
  readonly synopsis: string;
  /** The required positional arguments, by name. */
  readonly arguments: readonly string[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Runs the command and returns the exit code. */
  run(ctx: CommandContext, args: CommandArgs): Promise<number>;
}
