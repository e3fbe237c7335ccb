/**
 * Preload (`--import`) that runs the tests of every `describe` in a random order, to show that no
 * test depends on another's leftovers. `TEST_SHUFFLE_SEED` picks the order; the seed is printed so
 * a failing order can be replayed. Used by `npm test -- --shuffle` (Node 20 has no --test-shuffle).
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';

type Fn = (...args: unknown[]) => unknown;
const require = createRequire(import.meta.url);
const nodeTest = require('node:test') as Record<string, Fn> & { describe: Fn; it: Fn; test: Fn; suite?: Fn };

let seed = Number(process.env.TEST_SHUFFLE_SEED ?? Date.now() % 2 ** 31);
/** A small seeded generator (mulberry32), so an order can be replayed from its seed. */
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
}

/** The children (tests and suites) declared by the describe callback running now; undefined at top level. */
let collecting: (() => void)[] | undefined;

/** Wraps a registration function so that, inside a describe, its calls are collected and replayed shuffled. */
function deferred(original: Fn, isSuite: boolean): Fn {
  const wrapped = (...args: unknown[]) => {
    if (isSuite) {
      const index = args.findIndex((a) => typeof a === 'function');
      const body = args[index] as Fn | undefined;
      if (body) {
        args[index] = function shuffledBody(this: unknown, ...bodyArgs: unknown[]) {
          const outer = collecting;
          const children: (() => void)[] = [];
          collecting = children;
          try {
            const result = body.apply(this, bodyArgs);
            if (result instanceof Promise) throw new Error('shuffle: describe callbacks must be synchronous');
          } finally {
            collecting = outer;
          }
          for (let i = children.length - 1; i > 0; i--) {
            const j = Math.floor(random() * (i + 1));
            [children[i], children[j]] = [children[j] as () => void, children[i] as () => void];
          }
          for (const register of children) register();
        };
      }
    }
    if (collecting === undefined) return original(...args);
    collecting.push(() => original(...args));
    return undefined;
  };
  // it.skip, it.todo, it.only, describe.skip...: registered in place.
  return Object.assign(wrapped, original);
}

nodeTest.describe = deferred(nodeTest.describe, true);
if (nodeTest.suite) nodeTest.suite = deferred(nodeTest.suite, true);
nodeTest.it = deferred(nodeTest.it, false);
nodeTest.test = nodeTest.it;
syncBuiltinESMExports();
process.stderr.write(`shuffled test order, seed ${seed}\n`);
