export { runCli, COMMANDS, type CliIo } from './run-cli.js';
export type { CliStream, Command, CommandContext } from './command.js';
