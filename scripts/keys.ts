/** `npm run keys -- <command>`: creates, lists and revokes API keys in the store named by DATABASE_URL. */
import { parseArgs } from 'node:util';
import { generateApiKey, hashSecret, isScope } from '../src/auth/api-keys.js';
import { SCOPES, type ApiKeyRecord, type Scope } from '../src/store/api-key-store.js';
import type { MigratedStore } from '../src/store/migration.js';
import { openStore } from '../src/store/open-store.js';

const USAGE = `usage: npm run keys -- <command>

commands:
  create --scopes <scope,...> --name <name>   make a key and print it; it is shown only this once
  list                                        every key: id, name, scopes, created, revoked
  revoke <id>                                 revoke a key; exit 1 when there is no such key

scopes: ${SCOPES.join(', ')}
DATABASE_URL names the store, as for the server (default sqlite:data/cars.db).
exit status: 0 done, 1 failed (no such key, store unavailable), 2 usage error`;

const EXIT = { ok: 0, failure: 1, usage: 2 } as const;
const MAX_NAME_LENGTH = 100;

type Command =
  | { name: 'help' }
  | { name: 'create'; scopes: Scope[]; keyName: string }
  | { name: 'list' }
  | { name: 'revoke'; id: string };

/** A bad command line; its message is shown above the usage. */
class UsageError extends Error {
  override name = 'UsageError';
}

/** Reads the command line into a command, or throws UsageError. */
function parseCommand(args: string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        scopes: { type: 'string' },
        name: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { name: 'help' };
  const [command, ...operands] = positionals;
  if (command !== 'create' && (values.scopes !== undefined || values.name !== undefined)) {
    throw new UsageError('--scopes and --name are options of create only');
  }
  switch (command) {
    case 'create':
      if (operands.length > 0) throw new UsageError(`create takes no operands, got ${JSON.stringify(operands[0])}`);
      return { name: 'create', scopes: parseScopes(values.scopes), keyName: parseName(values.name) };
    case 'list':
      if (operands.length > 0) throw new UsageError(`list takes no operands, got ${JSON.stringify(operands[0])}`);
      return { name: 'list' };
    case 'revoke': {
      const [id, ...extra] = operands;
      if (id === undefined || extra.length > 0) throw new UsageError('revoke takes exactly one key id');
      return { name: 'revoke', id };
    }
    case undefined:
      throw new UsageError('a command is needed');
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

function parseScopes(list: string | undefined): Scope[] {
  if (list === undefined) throw new UsageError(`create needs --scopes (any of ${SCOPES.join(', ')})`);
  const scopes = new Set<Scope>();
  for (const entry of list.split(',').map((s) => s.trim())) {
    if (!isScope(entry)) throw new UsageError(`unknown scope ${JSON.stringify(entry)}; the scopes are ${SCOPES.join(', ')}`);
    scopes.add(entry);
  }
  return [...scopes];
}

function parseName(name: string | undefined): string {
  const trimmed = name?.trim();
  if (!trimmed) throw new UsageError('create needs --name, a label for the key (e.g. --name ci)');
  if (trimmed.length > MAX_NAME_LENGTH) throw new UsageError(`--name is longer than ${MAX_NAME_LENGTH} characters`);
  // The name is printed in list's table, where a control character could rewrite the terminal.
  if (/\p{Cc}/u.test(trimmed)) throw new UsageError('--name must not contain control characters');
  return trimmed;
}

async function create(store: MigratedStore, scopes: Scope[], name: string): Promise<number> {
  const { id, secret, key } = generateApiKey();
  await store.createApiKey({ id, name, scopes, secretHash: hashSecret(secret) });
  console.log(key);
  console.log('This key cannot be shown again: only its hash is stored. Keep it somewhere safe now.');
  console.log(`id:     ${id}`);
  console.log(`name:   ${name}`);
  console.log(`scopes: ${scopes.join(',')}`);
  return EXIT.ok;
}

async function list(store: MigratedStore): Promise<number> {
  const keys = await store.listApiKeys();
  if (keys.length === 0) {
    console.log('no API keys');
    return EXIT.ok;
  }
  // Only these fields are ever printed: never the secret (not stored) or its hash.
  const row = (k: ApiKeyRecord) => [k.id, k.name, k.scopes.join(','), k.createdAt, k.revokedAt ?? '-'];
  const table = [['ID', 'NAME', 'SCOPES', 'CREATED', 'REVOKED'], ...keys.map(row)];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((cells) => cells[column]!.length)));
  for (const cells of table) console.log(cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd());
  return EXIT.ok;
}

async function revoke(store: MigratedStore, id: string): Promise<number> {
  if (await store.revokeApiKey(id)) {
    console.log(`revoked ${id}`);
    return EXIT.ok;
  }
  const key = await store.findApiKey(id);
  if (!key) {
    console.error(`no API key has id ${JSON.stringify(id)}`);
    return EXIT.failure;
  }
  console.log(`${id} was already revoked at ${key.revokedAt ?? '?'}`);
  return EXIT.ok;
}

async function main(args: string[]): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`keys: ${err.message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (command.name === 'help') {
    console.log(USAGE);
    return EXIT.ok;
  }

  const databaseUrl = process.env.DATABASE_URL || 'sqlite:data/cars.db';
  // Never print a password from the URL.
  const shown = databaseUrl.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  try {
    const store = await openStore(databaseUrl);
    try {
      switch (command.name) {
        case 'create':
          return await create(store, command.scopes, command.keyName);
        case 'list':
          return await list(store);
        case 'revoke':
          return await revoke(store, command.id);
      }
    } finally {
      await store.close();
    }
  } catch (err) {
    console.error(`keys ${command.name} failed for ${shown}: ${(err as Error).message}`);
    return EXIT.failure;
  }
}

process.exitCode = await main(process.argv.slice(2));
