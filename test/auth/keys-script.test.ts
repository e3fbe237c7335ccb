/** `npm run keys`: scripts/keys.ts run as a child process against a temporary SQLite file. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { hashSecret, parseApiKey, verifyApiKey } from '../../src/auth/api-keys.js';
import { openStore } from '../../src/store/open-store.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs scripts/keys.ts with `args` against `databaseUrl`. */
function keys(databaseUrl: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/keys.ts', ...args], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The one key printed by `create`, checked to appear exactly once. */
function printedKey(run: Run): string {
  const found = run.stdout.match(/cars_[0-9a-f]{12}_[A-Za-z0-9_-]{43}/g) ?? [];
  assert.equal(found.length, 1, run.stdout);
  return found[0]!;
}

/** Verifies `key` against the store in `databaseUrl`. */
async function verify(databaseUrl: string, key: string) {
  const store = await openStore(databaseUrl);
  try {
    return await verifyApiKey(store, key);
  } finally {
    await store.close();
  }
}

describe('npm run keys', () => {
  let dir: string;
  let n = 0;
  /** A database URL for a file no test has used. */
  const freshDatabase = () => `sqlite:${join(dir, `keys-${++n}.db`)}`;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cars-keys-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('create prints a key once, with a note, its id, name and scopes, and the key verifies', async () => {
    const db = freshDatabase();
    const run = await keys(db, 'create', '--scopes', 'cars:read,cars:write', '--name', 'ci');
    assert.equal(run.code, 0, run.stderr);
    const key = printedKey(run);
    const parsed = parseApiKey(key);
    assert.ok(parsed);
    assert.match(run.stdout, /cannot be shown again/);
    assert.match(run.stdout, new RegExp(`^id: +${parsed.id}$`, 'm'));
    assert.match(run.stdout, /^name: +ci$/m);
    assert.match(run.stdout, /^scopes: +cars:read,cars:write$/m);
    assert.ok(!run.stdout.includes(hashSecret(parsed.secret)));
    assert.equal(run.stderr, '');

    const verified = await verify(db, key);
    assert.ok(verified.ok);
    assert.equal(verified.key.id, parsed.id);
    assert.equal(verified.key.name, 'ci');
    assert.deepEqual(verified.key.scopes, ['cars:read', 'cars:write']);
  });

  it('list shows id, name, scopes and dates, but never a secret or its hash', async () => {
    const db = freshDatabase();
    const empty = await keys(db, 'list');
    assert.equal(empty.code, 0, empty.stderr);
    assert.match(empty.stdout, /no API keys/);

    const ci = printedKey(await keys(db, 'create', '--scopes', 'cars:read,cars:write', '--name', 'ci'));
    const reader = printedKey(await keys(db, 'create', '--scopes', 'cars:read', '--name', 'dashboard'));
    const run = await keys(db, 'list');
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^ID +NAME +SCOPES +CREATED +REVOKED$/);
    assert.equal(lines.length, 3);
    for (const [i, key, name, scopes] of [
      [1, ci, 'ci', 'cars:read,cars:write'],
      [2, reader, 'dashboard', 'cars:read'],
    ] as const) {
      const { id, secret } = parseApiKey(key)!;
      assert.match(lines[i] ?? '', new RegExp(`^${id} +${name} +${scopes} +\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z +-$`));
      assert.ok(!run.stdout.includes(secret), 'list printed a secret');
      assert.ok(!run.stdout.includes(hashSecret(secret)), 'list printed a secret hash');
    }
  });

  it('revoke makes the key verify as revoked; again exits 0, an unknown id exits 1', async () => {
    const db = freshDatabase();
    const key = printedKey(await keys(db, 'create', '--scopes', 'cars:read', '--name', 'ci'));
    const { id } = parseApiKey(key)!;

    const revoked = await keys(db, 'revoke', id);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, new RegExp(`revoked ${id}`));
    assert.deepEqual(await verify(db, key), { ok: false, reason: 'revoked' });

    const again = await keys(db, 'revoke', id);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already revoked/);

    const unknown = await keys(db, 'revoke', '000000000000');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no API key has id "000000000000"/);

    const listed = await keys(db, 'list');
    assert.match(listed.stdout, new RegExp(`^${id} .* \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z$`, 'm'));
  });

  const usageErrors: [string, string[], RegExp][] = [
    ['an unknown scope', ['create', '--scopes', 'cars:read,cars:admin', '--name', 'ci'], /unknown scope "cars:admin"/],
    ['an empty scope', ['create', '--scopes', 'cars:read,', '--name', 'ci'], /unknown scope ""/],
    ['no --scopes', ['create', '--name', 'ci'], /--scopes/],
    ['no --name', ['create', '--scopes', 'cars:read'], /--name/],
    ['a blank --name', ['create', '--scopes', 'cars:read', '--name', '  '], /--name/],
    ['an unknown flag', ['create', '--scopes', 'cars:read', '--name', 'ci', '--admin'], /--admin/],
    ['an unknown command', ['rotate'], /unknown command "rotate"/],
    ['no command', [], /a command is needed/],
    ['revoke without an id', ['revoke'], /exactly one key id/],
    ['create flags on list', ['list', '--name', 'ci'], /create only/],
  ];
  // Each case only starts a process and reads its output, so they run side by side.
  describe('usage errors', { concurrency: true }, () => {
    for (const [what, args, message] of usageErrors) {
      it(`exits 2 with usage on ${what}, without opening the store`, async () => {
        const db = freshDatabase();
        const run = await keys(db, ...args);
        assert.equal(run.code, 2, run.stdout + run.stderr);
        assert.match(run.stderr, message);
        assert.match(run.stderr, /usage: npm run keys/);
        assert.equal(run.stdout, '');
        assert.equal(existsSync(db.slice('sqlite:'.length)), false);
      });
    }
  });
});
