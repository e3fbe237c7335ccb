import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isJsonMediaType, mediaTypeContains, mediaTypeRename, pairMediaTypes, parseMediaType } from '../../scripts/spec-review/media-types.js';

describe('media type names, paired as oasdiff pairs them', () => {
  it('parses type, subtype, suffix and parameters, case-insensitively but for parameter values', () => {
    const parsed = parseMediaType('Application/Problem+JSON; Charset="UTF-8"');
    assert.deepEqual(parsed && { ...parsed, parameters: [...parsed.parameters] }, { type: 'application', subtype: 'problem', suffix: 'json', parameters: [['charset', 'UTF-8']] });
    assert.equal(parseMediaType('not a media type'), undefined);
  });

  it('lets a base type contain its +suffix specialisations, and parameters not count', () => {
    assert.ok(mediaTypeContains('application/json', 'application/problem+json'));
    assert.ok(mediaTypeContains('application/json', 'application/json; charset=utf-8'));
    assert.ok(!mediaTypeContains('application/problem+json', 'application/json'));
    assert.ok(!mediaTypeContains('application/json', 'application/xml'));
  });

  it('names a rename: parameters only, a specialisation or a generalisation', () => {
    assert.equal(mediaTypeRename('application/json', 'application/json; charset=utf-8'), 'parameters');
    assert.equal(mediaTypeRename('application/json', 'application/problem+json'), 'specialized');
    assert.equal(mediaTypeRename('application/problem+json', 'application/json'), 'generalized');
  });

  it('pairs exact names first, then a removed name with an equivalent added one', () => {
    assert.deepEqual(pairMediaTypes(['application/json', 'text/csv'], ['application/json; charset=utf-8', 'text/csv', 'application/xml']), {
      pairs: [['text/csv', 'text/csv'], ['application/json', 'application/json; charset=utf-8']],
      removed: [],
      added: ['application/xml'],
    });
    assert.deepEqual(pairMediaTypes(['application/json'], ['application/xml']), { pairs: [], removed: ['application/json'], added: ['application/xml'] });
  });

  it('reads JSON by the parsed name, parameters or not', () => {
    assert.ok(isJsonMediaType('application/json; charset=utf-8'));
    assert.ok(isJsonMediaType('application/merge-patch+json'));
    assert.ok(!isJsonMediaType('text/plain'));
  });
});
