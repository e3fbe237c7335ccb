/** How much the fuzz tests run: FUZZ_RUNS cases in all (default 2,000), FUZZ_SEED and FUZZ_PATH to replay a failure. */
import type fc from 'fast-check';

/** The default number of cases across all fuzz tests in one `npm test`. */
const DEFAULT_RUNS = 2000;

/** fast-check parameters for a test that takes `share` of the FUZZ_RUNS budget. */
export function fuzzParameters<T>(share: number, env: NodeJS.ProcessEnv = process.env): fc.Parameters<T> {
  const total = env.FUZZ_RUNS === undefined ? DEFAULT_RUNS : Number(env.FUZZ_RUNS);
  if (!Number.isInteger(total) || total < 1) throw new Error(`FUZZ_RUNS must be a positive integer, got ${env.FUZZ_RUNS}`);
  const parameters: fc.Parameters<T> = { numRuns: Math.ceil(total * share) };
  // fast-check prints the seed and path of a failure; setting both replays exactly that case.
  if (env.FUZZ_SEED !== undefined) parameters.seed = Number(env.FUZZ_SEED);
  if (env.FUZZ_PATH !== undefined) parameters.path = env.FUZZ_PATH;
  return parameters;
}
