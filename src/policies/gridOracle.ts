/**
 * The Mountain Cars' oracle: value iteration on a grid over (position, velocity), every
 * transition made by the true env's own `step` (so it holds for any physics a world sets), then a
 * one-step lookahead on the true env from the exact real state. CEM-MPC with a 30-step horizon
 * never sees the flag (it lies 100+ steps of pumping away), so on these envs it only learns not to
 * waste torque; the value function carries the flag's reward back to every state.
 *
 *   V(s) ← max_a [ r(s, a) + γ·(terminated ? 0 : V(f(s, a))) ],   V(f(s, a)) bilinear on the grid
 *
 * Discounted, though the env's return is not: undiscounted, bilinear interpolation smears the
 * flag's value down the grid until coasting for free (a = 0) looks as good as pumping, and V → 100
 * everywhere. With γ = 0.99, arriving sooner is worth more than the torque it costs, as on the
 * true track. The sweeps stop once no value moves by more than `tolerance`.
 */
import { getEnv } from '../envs/index';
import type { EnvId, PhysicalParams } from '../envs/types';

export interface GridOracleSettings {
  /** Grid points along position and along velocity. */
  readonly points: number;
  readonly discount: number;
  readonly tolerance: number;
  readonly maxSweeps: number;
}

export const GRID_ORACLE_SETTINGS: GridOracleSettings = {
  points: 201,
  discount: 0.99,
  tolerance: 1e-6,
  maxSweeps: 3000,
};

const GRID_ENVS: Partial<Record<EnvId, readonly number[]>> = {
  // Bang-bang is near-optimal (each step's torque costs 0.1·a²); the halves let it coast cheaper.
  'MountainCarContinuous-v0': [-1, -0.5, 0, 0.5, 1],
  'MountainCar-v0': [0, 1, 2],
};

export function hasGridOracle(envId: EnvId): boolean {
  return GRID_ENVS[envId] !== undefined;
}

/**
 * What solving holds at once, for the resource estimate: per (grid point, action) a stencil and
 * a reward (29 bytes), per grid point two value arrays, an action column and one env of the
 * batch (71 bytes).
 */
export function valueGridBytes(
  envId: EnvId,
  settings: GridOracleSettings = GRID_ORACLE_SETTINGS,
): number {
  const actions = GRID_ENVS[envId]?.length ?? 0;
  const cells = settings.points ** 2;
  return actions === 0 ? 0 : cells * (actions * 29 + 71);
}

/** The converged value function on the grid, and how to act greedily on it. */
export interface ValueGrid {
  readonly actions: readonly number[];
  readonly sweeps: number;
  readonly discount: number;
  /** V at a state, bilinear between grid points (a state outside the grid is clamped to it). */
  value(position: number, velocity: number): number;
}

export function solveValueGrid(
  envId: EnvId,
  params: PhysicalParams,
  settings: GridOracleSettings = GRID_ORACLE_SETTINGS,
): ValueGrid {
  const actions = GRID_ENVS[envId];
  if (actions === undefined) throw new Error(`no grid oracle for ${envId}`);
  const n = settings.points;
  const positionLow = params.min_position;
  const positionHigh = params.max_position;
  const speed = params.max_speed;
  const grid = new Grid(n, positionLow, positionHigh, -speed, speed);
  const cells = n * n;
  const batch = getEnv(envId).createBatch(cells, params);

  // Every (grid point, action)'s successor as a bilinear stencil, made once by the env itself.
  const corner = new Int32Array(cells * actions.length);
  const weightX = new Float64Array(cells * actions.length);
  const weightV = new Float64Array(cells * actions.length);
  const reward = new Float64Array(cells * actions.length);
  const continues = new Uint8Array(cells * actions.length);
  const state = new Float64Array(2);
  const actionColumn = new Float64Array(cells);
  for (let j = 0; j < actions.length; j++) {
    for (let g = 0; g < cells; g++) {
      state[0] = grid.position(g % n);
      state[1] = grid.velocity(Math.floor(g / n));
      batch.setState(g, state, 'float32');
      batch.elapsedSteps[g] = 0;
    }
    actionColumn.fill(actions[j]);
    batch.step(actionColumn);
    for (let g = 0; g < cells; g++) {
      const at = g * actions.length + j;
      const stencil = grid.stencil(batch.states[0][g], batch.states[1][g]);
      corner[at] = stencil.corner;
      weightX[at] = stencil.weightX;
      weightV[at] = stencil.weightV;
      reward[at] = batch.rewards[g];
      continues[at] = batch.terminated[g] === 1 ? 0 : 1;
    }
  }

  const discount = settings.discount;
  let values = new Float64Array(cells);
  let next = new Float64Array(cells);
  let sweeps = 0;
  for (; sweeps < settings.maxSweeps; sweeps++) {
    let largestChange = 0;
    for (let g = 0; g < cells; g++) {
      let best = -Infinity;
      for (let j = 0, at = g * actions.length; j < actions.length; j++, at++) {
        let q = reward[at];
        if (continues[at] === 1) {
          q += discount * grid.interpolate(values, corner[at], weightX[at], weightV[at]);
        }
        if (q > best) best = q;
      }
      next[g] = best;
      const change = Math.abs(best - values[g]);
      if (change > largestChange) largestChange = change;
    }
    [values, next] = [next, values];
    if (largestChange <= settings.tolerance) break;
  }
  const solved = values;
  return {
    actions,
    sweeps,
    discount,
    value: (position, velocity) => {
      const stencil = grid.stencil(position, velocity);
      return grid.interpolate(solved, stencil.corner, stencil.weightX, stencil.weightV);
    },
  };
}

/** A uniform n × n grid; point (i, k) is cell k·n + i. */
class Grid {
  private readonly stepX: number;
  private readonly stepV: number;

  constructor(
    private readonly n: number,
    private readonly lowX: number,
    highX: number,
    private readonly lowV: number,
    highV: number,
  ) {
    this.stepX = (highX - lowX) / (n - 1);
    this.stepV = (highV - lowV) / (n - 1);
  }

  position(i: number): number {
    return this.lowX + i * this.stepX;
  }

  velocity(k: number): number {
    return this.lowV + k * this.stepV;
  }

  stencil(x: number, v: number): { corner: number; weightX: number; weightV: number } {
    const [i, weightX] = this.locate((x - this.lowX) / this.stepX);
    const [k, weightV] = this.locate((v - this.lowV) / this.stepV);
    return { corner: k * this.n + i, weightX, weightV };
  }

  interpolate(values: Float64Array, corner: number, weightX: number, weightV: number): number {
    const n = this.n;
    const below = values[corner] + weightX * (values[corner + 1] - values[corner]);
    const above = values[corner + n] + weightX * (values[corner + n + 1] - values[corner + n]);
    return below + weightV * (above - below);
  }

  /** The lower grid index of a fractional coordinate and the weight of the upper one. */
  private locate(coordinate: number): [number, number] {
    const clamped = Math.min(Math.max(coordinate, 0), this.n - 1);
    const index = Math.min(Math.floor(clamped), this.n - 2);
    return [index, clamped - index];
  }
}
