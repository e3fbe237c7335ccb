/**
 * `x-stability-level` (draft → alpha → beta → stable), as oasdiff reads it (docs/STABILITY.md,
 * checker/check_api_stability_level.go): a missing level is stable, a decrease is breaking, and
 * operations below beta are not held to the breaking-change rules.
 */
const LEVELS = ['draft', 'alpha', 'beta', 'stable'] as const;

/** oasdiff's default threshold: changes to draft and alpha operations do not break anyone. */
const THRESHOLD = LEVELS.indexOf('beta');

/** The rank of a node's `x-stability-level` (0 draft … 3 stable), or undefined when it is not one of the four. */
function rank(node: Record<string, unknown>): number | undefined {
  const raw = node['x-stability-level'];
  if (raw === undefined) return LEVELS.indexOf('stable');
  const i = (LEVELS as readonly unknown[]).indexOf(raw);
  return i === -1 ? undefined : i;
}

/** Whether a node is draft or alpha: oasdiff leaves such operations out of its breaking-change checks. */
export function belowThreshold(node: Record<string, unknown>): boolean {
  const r = rank(node);
  return r !== undefined && r < THRESHOLD;
}

/** The rule ids of a stability comparison, for operations or for properties. */
export interface StabilityRules {
  readonly decreased: string;
  readonly increased: string;
}

/**
 * Compares the `x-stability-level` of two nodes. `say` gets oasdiff's rule and the side it
 * points at; a change from a level below beta is reported as the extension it is (oasdiff
 * reports it not at all), and an invalid level is api-invalid-stability-level.
 */
export function diffStability(b: Record<string, unknown>, h: Record<string, unknown>, rules: StabilityRules, say: (rule: string, side: 'base' | 'head', message: string) => void): void {
  const [bRaw, hRaw] = [b['x-stability-level'], h['x-stability-level']];
  if (bRaw === hRaw) return;
  const [bRank, hRank] = [rank(b), rank(h)];
  if (hRank === undefined) say('api-invalid-stability-level', 'head', `x-stability-level ${JSON.stringify(hRaw)} is not draft, alpha, beta or stable`);
  if (bRank === undefined || hRank === undefined || bRank === hRank) return;
  const message = `x-stability-level ${JSON.stringify(bRaw ?? 'stable')} → ${JSON.stringify(hRaw ?? 'stable')}`;
  if (bRank < THRESHOLD) say('extension-changed', 'head', `${message} (below beta, not checked)`);
  else say(hRank < bRank ? rules.decreased : rules.increased, 'head', message);
}
