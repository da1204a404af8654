/**
 * The Mountain Cars' oracle (value iteration on the true env's step, policies/gridOracle.ts)
 * reaches the flag, at the return Gymnasium calls solved, in whatever physics the world sets.
 */
import { describe, expect, it } from 'vitest';
import { getEnv } from '../../src/envs';
import type { EnvId, PhysicalParams } from '../../src/envs/types';
import { drawStartStates } from '../../src/metrics/evaluation';
import { ORACLE_SETTINGS, oracleMethodFor, runOracle } from '../../src/policies/oracle';
import { createRng } from '../../src/rng';

function runFromResets(
  envId: EnvId,
  params: PhysicalParams,
  episodes: number,
  episodeLength: number,
) {
  const starts = drawStartStates(getEnv(envId), params, episodes, createRng(3).fork('starts'));
  return runOracle(envId, params, starts, { ...ORACLE_SETTINGS, episodeLength }, createRng(3));
}

describe('the value-grid oracle on the Mountain Cars', () => {
  it.each([
    ['MountainCarContinuous-v0', 90, 200],
    ['MountainCar-v0', -110, 200],
  ] as const)(
    '%s: every episode reaches the flag, at a mean return ≥ %d',
    (envId, solved, length) => {
      expect(oracleMethodFor(envId)).toBe('valueGrid');
      const spec = getEnv(envId).spec;
      const run = runFromResets(envId, spec.defaultParams, 6, length);
      expect(run.terminatedAfter.every((steps) => steps !== null && steps < length)).toBe(true);
      expect(run.meanReturn).toBeGreaterThanOrEqual(solved);
      // The last row of every episode ends on the flag: at or past the goal, moving right.
      const rows = run.transitions;
      let last = -1;
      for (const steps of run.terminatedAfter) {
        last += steps ?? 0;
        expect(rows.nextObservations[last * 2]).toBeGreaterThanOrEqual(
          Math.fround(spec.defaultParams.goal_position),
        );
        expect(rows.nextObservations[last * 2 + 1]).toBeGreaterThanOrEqual(0);
      }
      expect(rows.count).toBe(run.terminatedAfter.reduce<number>((a, b) => a + (b ?? 0), 0));
    },
  );

  it("plans in the world's own physics: a weaker engine pumps longer and still arrives", () => {
    const defaults = getEnv('MountainCarContinuous-v0').spec.defaultParams;
    const strong = runFromResets('MountainCarContinuous-v0', defaults, 3, 999);
    const weak = runFromResets('MountainCarContinuous-v0', { ...defaults, power: 0.00075 }, 3, 999);
    const mean = (steps: (number | null)[]) =>
      steps.reduce<number>((a, b) => a + (b ?? Infinity), 0) / steps.length;
    expect(mean(weak.terminatedAfter)).toBeGreaterThan(1.5 * mean(strong.terminatedAfter));
    expect(Number.isFinite(mean(weak.terminatedAfter))).toBe(true);
  });

  it('is deterministic', () => {
    const params = getEnv('MountainCar-v0').spec.defaultParams;
    const a = runFromResets('MountainCar-v0', params, 2, 200);
    const b = runFromResets('MountainCar-v0', params, 2, 200);
    expect(Array.from(a.transitions.actions)).toEqual(Array.from(b.transitions.actions));
  });
});
