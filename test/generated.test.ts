import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

describe('generated/', () => {
  it('matches what `npm run generate` makes from the spec (no drift)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cars-gen-'));
    try {
      const out = join(dir, 'cars.ts');
      execFileSync('node_modules/.bin/openapi-typescript', ['spec/cars.openapi.yaml', '-o', out], { stdio: 'pipe' });
      const fresh = readFileSync(out, 'utf8');
      const committed = readFileSync('generated/cars.ts', 'utf8');
      assert.ok(committed.includes('Do not make direct changes to the file.'), 'the do-not-edit header is kept');
      assert.equal(committed, fresh, 'generated/cars.ts is stale: run `npm run generate` and commit the result');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
