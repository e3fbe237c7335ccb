import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { checkVersions } from '../../scripts/build-client.js';
import { loadSpec } from '../../src/spec.js';

describe('the client package version', () => {
  it("fails the build when it differs from the spec's info.version", () => {
    assert.throws(() => checkVersions('2.0.0', '1.0.0'), /client's version \(1\.0\.0.*differs from the spec's info\.version \(2\.0\.0\)/);
  });

  it("passes when it is the spec's info.version", () => {
    assert.doesNotThrow(() => checkVersions('1.4.2', '1.4.2'));
  });

  it("is the spec's info.version in the repository today", () => {
    const template = JSON.parse(readFileSync(new URL('../../src/client/package.template.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(template.version, (loadSpec().info as { version: string }).version);
  });
});
