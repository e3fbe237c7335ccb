/** The `--help` texts: the list of commands, and each command's own usage. */
import { DEFAULT_URL } from './cli-args.js';
import type { Command } from './command.js';

const GLOBAL_HELP = [
  'Options for every command:',
  `  --url URL        the Cars API (env CARS_URL, default ${DEFAULT_URL})`,
  '  --api-key KEY    sent as X-API-Key (env CARS_API_KEY)',
  '  --json           print the data as JSON instead of tables and summaries',
  '  -h, --help       print help',
  '',
  'Exit codes: 0 success, 1 an API error or an unreachable server, 2 a usage error.',
];

/** Help listing every command. */
export function mainHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: cars <command> [arguments] [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    ...GLOBAL_HELP,
    "Run 'cars <command> --help' for a command's arguments.",
    '',
  ].join('\n');
}

/** Help for one command. */
export function commandHelp(command: Command): string {
  return [`Usage: cars ${command.name} ${command.synopsis}`.trimEnd(), '', `${command.summary}.`, '', ...GLOBAL_HELP, ''].join('\n');
}
