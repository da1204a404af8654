/**
 * Shared test fixtures: where the Gymnasium reference files live, and random states and actions
 * that reach (and, where Gymnasium allows it, pass) each env's limits.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Rng } from '../../src/rng';
import type { EnvId, EnvSpec } from '../../src/envs/types';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** ../shared is the repository's sibling. */
export const REFERENCE_DIR = path.resolve(REPO_ROOT, '../shared/reference/gymnasium');

export function referenceFiles(): string[] {
  return readdirSync(REFERENCE_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => path.join(REFERENCE_DIR, name));
}

export type Dtype = 'float32' | 'float64';

export interface RandomState {
  readonly state: number[];
  readonly dtype: Dtype;
}

const PI = Math.PI;

/** A state anywhere an episode can be (angles past ±pi for the unwrapped Pendulum). */
export function randomState(envId: EnvId, rng: Rng): RandomState {
  const u = (low: number, high: number) => rng.uniform(low, high);
  switch (envId) {
    case 'Pendulum-v1':
      return { state: [u(-3 * PI, 3 * PI), u(-8, 8)], dtype: 'float64' };
    case 'MountainCarContinuous-v0': {
      // Float64 right after reset (velocity 0), float32 after any step.
      if (rng.next() < 0.2) return { state: [u(-0.6, -0.4), 0], dtype: 'float64' };
      const state = [Math.fround(u(-1.2, 0.6)), Math.fround(u(-0.07, 0.07))];
      return { state, dtype: 'float32' };
    }
    case 'CartPole-v1':
      return { state: [u(-2.4, 2.4), u(-2, 2), u(-0.21, 0.21), u(-2, 2)], dtype: 'float64' };
    case 'Acrobot-v1': {
      const state = [u(-PI, PI), u(-PI, PI), u(-4 * PI, 4 * PI), u(-9 * PI, 9 * PI)];
      if (rng.next() < 0.2) return { state: state.map(Math.fround), dtype: 'float32' };
      return { state, dtype: 'float64' };
    }
    case 'MountainCar-v0':
      return { state: [u(-1.2, 0.6), u(-0.07, 0.07)], dtype: 'float64' };
  }
}

/** Discrete: any valid index. Box: up to `spread` times the bounds, so clipping is exercised. */
export function randomAction(spec: EnvSpec, rng: Rng, spread = 1.5): number {
  const space = spec.actionSpace;
  if (space.kind === 'discrete') return rng.int(space.n);
  return Math.fround(rng.uniform(space.low * spread, space.high * spread));
}
