/**
 * The shell of the commands that run against a target (scripts/target-command.ts): what repeated
 * Ctrl-C does, and how a bad command line is reported.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { interruptHandler, optionErrorLine } from '../../scripts/target-command.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A handler with its messages and exits recorded, and the reservation the run reported (if any). */
function handler(reservation?: { url: string; ids: readonly number[] }) {
  const abort = new AbortController();
  const said: string[] = [];
  const exits: number[] = [];
  const press = interruptHandler('fuzz', abort, () => reservation, (line) => said.push(line), (code) => exits.push(code));
  return { abort, said, exits, press };
}

describe('Ctrl-C during a run against a target', () => {
  const reservation = { url: 'https://staging.example.com', ids: [9100, 9101, 9102] };

  it('stops the run on the first press, naming the cars it is deleting', () => {
    const { abort, said, exits, press } = handler(reservation);
    press();
    assert.equal(abort.signal.aborted, true);
    assert.deepEqual(said, ['fuzz: stopping; deleting the cars it created (reserved car ids 9100, 9101, 9102 on https://staging.example.com)']);
    assert.deepEqual(exits, []);
  });

  it('says it is still cleaning up on the second press, and does not exit', () => {
    const { said, exits, press } = handler(reservation);
    press();
    press();
    assert.equal(
      said[1],
      'fuzz: still cleaning up (reserved car ids 9100, 9101, 9102 on https://staging.example.com); press Ctrl-C once more to exit now and leave what is not deleted yet',
    );
    assert.deepEqual(exits, []);
  });

  it('exits 130 on the third press, naming the reserved ids that may be left', () => {
    const { said, exits, press } = handler(reservation);
    press();
    press();
    press();
    assert.equal(said[2], 'fuzz: exiting before the cleanup finished; reserved car ids 9100, 9101, 9102 on https://staging.example.com may still hold cars of this run');
    assert.deepEqual(exits, [130]);
  });

  it('says nothing is left when no ids were reserved (a local or --read-only run)', () => {
    const { said, exits, press } = handler();
    press();
    press();
    press();
    assert.deepEqual(said, [
      'fuzz: stopping; shutting down',
      'fuzz: still cleaning up; press Ctrl-C once more to exit now',
      'fuzz: exiting now; no car ids were reserved, so none are left behind',
    ]);
    assert.deepEqual(exits, [130]);
  });
});

describe('a bad command line', () => {
  const options = { url: { type: 'string' }, 'api-key': { type: 'string' }, 'read-only': { type: 'boolean' } } as const;
  const lineFor = (args: string[]) => {
    try {
      parseArgs({ args, options, strict: true });
    } catch (err) {
      return optionErrorLine(err as Error);
    }
    assert.fail(`${args.join(' ')} parsed`);
  };

  it("turns parseArgs' errors into one short line", () => {
    assert.equal(lineFor(['--url']), '--url needs a value');
    assert.equal(lineFor(['--url', '--api-key', 'k']), '--url needs a value (one starting with a dash goes as --url=-VALUE)');
    assert.equal(lineFor(['--read-only=yes']), '--read-only takes no value');
    assert.equal(lineFor(['--frob']), 'unknown option --frob');
    assert.equal(lineFor(['staging']), 'unexpected argument "staging": every value follows its option');
  });

  for (const [script, invocation] of [
    ['scripts/contract.ts', 'npm run test:contract --'],
    ['scripts/fuzz.ts', 'npm run fuzz --'],
  ] as const) {
    it(`${invocation} --url (no value) exits 2 with that line and a hint to --help, not the help text`, async () => {
      const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, ['--import', 'tsx', script, '--url'], { cwd: REPO_ROOT, timeout: 60_000 }, (error, out, err) =>
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout: out, stderr: err }),
        );
      });
      assert.equal(code, 2, stderr);
      assert.equal(stdout, '');
      const name = script === 'scripts/contract.ts' ? 'contract' : 'fuzz';
      assert.equal(stderr, `${name}: --url needs a value\nRun '${invocation} --help' for the options.\n`);
    });
  }
});
