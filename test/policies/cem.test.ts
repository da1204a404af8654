/**
 * CEM and the oracle (CEM-MPC with the true env as its model): the planner finds what a scorer
 * rewards, and planning with the true dynamics balances CartPole and swings Pendulum up.
 * Pure JS, no tensors.
 */
import { describe, expect, it } from 'vitest';
import { getEnv } from '../../src/envs';
import type { EnvId } from '../../src/envs/types';
import { drawStartStates, evaluateReal } from '../../src/metrics/evaluation';
import { CemPlanner, type CemSettings } from '../../src/policies/cem';
import { runOracle, type OracleSettings } from '../../src/policies/oracle';
import { createRng } from '../../src/rng';

describe('CemPlanner', () => {
  const settings: CemSettings = {
    population: 64,
    elites: 8,
    iterations: 5,
    horizon: 4,
    smoothing: 0.1,
  };

  it('box: converges to the sequence a scorer rewards', () => {
    const target = [0.7, -1.2, 1.5, 0];
    const planner = new CemPlanner(
      { kind: 'box', dim: 1, low: -2, high: 2 },
      settings,
      createRng(1),
    );
    const { action, expectedReturn } = planner.plan((sequences, returns) => {
      for (let p = 0; p < returns.length; p++) {
        let cost = 0;
        for (let t = 0; t < 4; t++) cost += (sequences[p * 4 + t] - target[t]) ** 2;
        returns[p] = -cost;
      }
    });
    expect(action).toBeCloseTo(0.7, 1);
    expect(expectedReturn).toBeGreaterThan(-0.1);
    expect(expectedReturn).toBeLessThanOrEqual(0);
  });

  it('discrete: picks the action a scorer rewards, and never returns an index out of range', () => {
    const planner = new CemPlanner({ kind: 'discrete', n: 3 }, settings, createRng(2));
    const seen = new Set<number>();
    for (let step = 0; step < 5; step++) {
      const { action, expectedReturn } = planner.plan((sequences, returns) => {
        for (let p = 0; p < returns.length; p++) {
          let count = 0;
          for (let t = 0; t < 4; t++) {
            seen.add(sequences[p * 4 + t]);
            if (sequences[p * 4 + t] === 2) count++;
          }
          returns[p] = count;
        }
      });
      expect(action).toBe(2);
      expect(expectedReturn).toBe(4);
    }
    expect([...seen].sort()).toEqual([0, 1, 2]);
  });

  it('treats a non-finite score as the worst', () => {
    const planner = new CemPlanner(
      { kind: 'box', dim: 1, low: -1, high: 1 },
      settings,
      createRng(3),
    );
    const { action } = planner.plan((sequences, returns) => {
      // NaN for every plan starting below 0.5: those must never win.
      for (let p = 0; p < returns.length; p++)
        returns[p] = sequences[p * 4] < 0.5 ? Number.NaN : -sequences[p * 4];
    });
    expect(action).toBeGreaterThanOrEqual(0.5);
  });

  it('refuses more elites than the population', () => {
    expect(
      () => new CemPlanner({ kind: 'discrete', n: 2 }, { ...settings, elites: 65 }, createRng(1)),
    ).toThrow(/elites \(65\) exceed the population \(64\)/);
  });
});

function oracleAgainstRandom(
  envId: EnvId,
  episodes: number,
  settings: OracleSettings,
  seed: number,
) {
  const definition = getEnv(envId);
  const params = definition.spec.defaultParams;
  const starts = drawStartStates(definition, params, episodes, createRng(seed).fork('starts'));
  const oracle = runOracle(envId, params, starts, settings, createRng(seed).fork('oracle'));
  const rng = createRng(seed).fork('random');
  const space = definition.spec.actionSpace;
  const random = evaluateReal(envId, params, starts, settings.episodeLength, () =>
    space.kind === 'box' ? rng.uniform(space.low, space.high) : rng.int(space.n),
  );
  return { oracle, random };
}

describe('runOracle (CEM-MPC with the true env)', () => {
  it('balances CartPole-v1 from 8 reset states: the pole never falls mid-track', () => {
    // CartPole pays +1 per step, so every plan that survives the planning horizon ties, and the
    // cart random-walks until it meets the end of the track, where balancing is lost too. So
    // "≥ 195 of 200 on average" is NOT a property of this oracle: with these settings it held on
    // 8 of 20 seeds over 4 starts, and with the loop's ORACLE_SETTINGS on 11 of 16. What holds on
    // all 20 seeds measured over 8 starts: mean ≥ 183.5, at least 4 full episodes, and every early
    // end within 0.03 of the track's end (|x| ≥ 2.37). Tiny settings (population 4, 1 iteration,
    // horizon 5) drop the pole mid-track within about 20 steps, like a random policy.
    const settings: OracleSettings = {
      population: 40,
      elites: 4,
      iterations: 3,
      horizon: 15,
      smoothing: 0.1,
      episodeLength: 200,
    };
    const { oracle, random } = oracleAgainstRandom('CartPole-v1', 8, settings, 1);
    expect(oracle.returns).toHaveLength(8);
    expect(oracle.meanReturn).toBeGreaterThanOrEqual(180);
    expect(oracle.returns.filter((steps) => steps === 200).length).toBeGreaterThanOrEqual(4);
    expect(random.meanReturn).toBeLessThan(60);
    // Every real step is kept for the `strategic` error: one row per step taken.
    const rows = oracle.transitions;
    expect(rows.count).toBe(oracle.returns.reduce((a, b) => a + b, 0));
    let last = -1;
    for (const steps of oracle.returns) {
      last += steps;
      if (steps === 200) continue;
      const x = rows.nextObservations[last * 4];
      expect(Math.abs(x), `an episode of ${steps} steps ended at x = ${x}`).toBeGreaterThan(2.3);
    }
  });

  it('swings Pendulum-v1 up: beats a random policy by more than 500 over 2 episodes', () => {
    const settings: OracleSettings = {
      population: 40,
      elites: 5,
      iterations: 2,
      horizon: 20,
      smoothing: 0.1,
      episodeLength: 200,
    };
    const { oracle, random } = oracleAgainstRandom('Pendulum-v1', 2, settings, 1);
    expect(oracle.returns).toHaveLength(2);
    expect(oracle.meanReturn).toBeGreaterThan(random.meanReturn + 500);
    expect(oracle.transitions.count).toBe(400);
  });

  it('is deterministic for a given rng', () => {
    const settings: OracleSettings = {
      population: 16,
      elites: 4,
      iterations: 2,
      horizon: 10,
      smoothing: 0.1,
      episodeLength: 50,
    };
    const a = oracleAgainstRandom('Pendulum-v1', 1, settings, 5).oracle;
    const b = oracleAgainstRandom('Pendulum-v1', 1, settings, 5).oracle;
    expect(a.returns).toEqual(b.returns);
    expect(Array.from(a.transitions.actions)).toEqual(Array.from(b.transitions.actions));
  });
});
