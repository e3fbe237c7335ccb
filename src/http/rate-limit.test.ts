import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRateLimiter } from './rate-limit.js';

describe('createRateLimiter', () => {
  it('allows a burst, then refuses with the seconds until the next token', () => {
    let now = 0;
    const take = createRateLimiter({ ratePerSecond: 0.5, burst: 2, now: () => now });
    assert.deepEqual(
      [take('a'), take('a')].map((d) => d.allowed),
      [true, true],
    );
    const refused = take('a');
    assert.equal(refused.allowed, false);
    assert.equal(refused.retryAfterSeconds, 2);
    assert.deepEqual(refused, { allowed: false, limit: 2, remaining: 0, retryAfterSeconds: 2 });
    now = 2000;
    assert.equal(take('a').allowed, true);
  });

  it('keeps one bucket per client', () => {
    const take = createRateLimiter({ ratePerSecond: 1, burst: 1, now: () => 0 });
    assert.equal(take('a').allowed, true);
    assert.equal(take('a').allowed, false);
    assert.equal(take('b').allowed, true);
  });

  it('refills no further than the burst', () => {
    let now = 0;
    const take = createRateLimiter({ ratePerSecond: 10, burst: 3, now: () => now });
    take('a');
    now = 60_000;
    assert.equal(take('a').remaining, 2);
  });

  it('forgets the least recently seen client beyond maxClients', () => {
    let now = 0;
    const take = createRateLimiter({ ratePerSecond: 0.001, burst: 1, maxClients: 2, now: () => now });
    take('a');
    now = 1500;
    take('b');
    take('a'); // seen again more than a second later: 'a' moves behind 'b'
    take('c'); // evicts 'b', the least recently seen
    assert.equal(take('a').allowed, false, "'a' kept its empty bucket");
    assert.equal(take('b').allowed, true, "'b' was forgotten, so it starts with a full bucket");
  });
});
