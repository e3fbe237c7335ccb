import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatETag, ifMatchRevisions, ifNoneMatchHits, parseEntityTags } from './etag.js';

describe('entity tags', () => {
  it('formats a revision as a strong tag', () => {
    assert.equal(formatETag(7), '"7"');
  });

  it('parses a list of tags, weak and strong, and leaves foreign tags without a revision', () => {
    assert.deepEqual(parseEntityTags('"1", W/"2", "abc", "0"'), [
      { weak: false, revision: 1 },
      { weak: true, revision: 2 },
      { weak: false, revision: undefined },
      { weak: false, revision: undefined },
    ]);
    assert.equal(parseEntityTags(' * '), '*');
  });

  it('If-Match compares strongly: weak tags never match (RFC 9110 §13.1.1)', () => {
    assert.deepEqual(ifMatchRevisions('"3", W/"4"'), [3]);
    assert.equal(ifMatchRevisions('*'), '*');
    assert.equal(ifMatchRevisions(undefined), undefined);
    assert.deepEqual(ifMatchRevisions('"nope"'), []);
  });

  it('If-None-Match compares weakly (RFC 9110 §13.1.2)', () => {
    assert.equal(ifNoneMatchHits('W/"5"', 5), true);
    assert.equal(ifNoneMatchHits('"5"', 6), false);
    assert.equal(ifNoneMatchHits('*', 1), true);
    assert.equal(ifNoneMatchHits(undefined, 1), false);
  });
});
