/**
 * The cross-entropy method over open-loop action sequences (the planner of CEM-MPC):
 *   repeat I times: draw P sequences a_{1..H} ~ N(μ, σ²) (clipped to the box) or, for discrete
 *   actions, a_t ~ Categorical(p_t); score each by its return from the current state; refit
 *   (μ, σ) or p to the E best, smoothed: θ ← α·θ_old + (1 − α)·θ_elites.
 * The scorer is a callback, so the same planner runs on the learned model (tfjs) and on the true
 * batched env (the oracle). Warm start: after acting, the plan is shifted by one step.
 * `CemPlanner.planTogether` runs K planners (one per episode) in lockstep, so that one scorer
 * call scores all K·P sequences at once (one batched model rollout per CEM iteration).
 */
import type { ActionSpace } from '../envs/types';
import type { Rng } from '../rng';

export interface CemSettings {
  readonly population: number;
  readonly elites: number;
  readonly iterations: number;
  readonly horizon: number;
  readonly smoothing: number;
}

/** Scores P sequences held row-major in `sequences` ([P × H]); writes the P returns. */
export type SequenceScorer = (sequences: Float64Array, returns: Float64Array) => void;

/**
 * Scores the sequences of K planners at once: `sequences` holds planner k's P sequences in rows
 * k·P … k·P + P − 1 ([K·P × H], planner-major); writes the K·P returns. May be asynchronous (a
 * model rollout reads its returns back from the device).
 */
export type BatchSequenceScorer = (sequences: Float64Array, returns: Float64Array) => void | Promise<void>;

export interface PlanResult {
  /** The first action of the best sequence scored. */
  readonly action: number;
  /** That sequence's score: the return the planner expects over its horizon. */
  readonly expectedReturn: number;
}

export class CemPlanner {
  private readonly space: ActionSpace;
  private readonly settings: CemSettings;
  private readonly rng: Rng;
  /** Box: mean and std per step. Discrete: probabilities per step, [H × n]. */
  private readonly mean: Float64Array;
  private readonly std: Float64Array;
  private readonly probabilities: Float64Array;
  private readonly sequences: Float64Array;
  private readonly returns: Float64Array;
  private readonly order: Int32Array;
  /** The best sequence scored during the current plan() (over all its CEM iterations). */
  private bestReturn = -Infinity;
  private bestFirstAction = 0;

  constructor(space: ActionSpace, settings: CemSettings, rng: Rng) {
    if (settings.elites > settings.population) {
      throw new Error(`CEM: elites (${settings.elites}) exceed the population (${settings.population})`);
    }
    this.space = space;
    this.settings = settings;
    this.rng = rng;
    const { horizon, population } = settings;
    this.mean = new Float64Array(horizon);
    this.std = new Float64Array(horizon);
    this.probabilities = new Float64Array(space.kind === 'discrete' ? horizon * space.n : 0);
    this.sequences = new Float64Array(population * horizon);
    this.returns = new Float64Array(population);
    this.order = new Int32Array(population);
    this.resetPlan();
  }

  resetPlan(): void {
    if (this.space.kind === 'box') {
      const middle = (this.space.low + this.space.high) / 2;
      const halfWidth = (this.space.high - this.space.low) / 2;
      this.mean.fill(middle);
      this.std.fill(halfWidth);
    } else {
      this.probabilities.fill(1 / this.space.n);
    }
  }

  /** Plans from the state the scorer knows and returns the first action of the best plan. */
  plan(score: SequenceScorer): PlanResult {
    this.startPlanning();
    for (let iteration = 0; iteration < this.settings.iterations; iteration++) {
      this.sample();
      score(this.sequences, this.returns);
      this.refitToElites();
    }
    return this.finishPlanning();
  }

  /**
   * K planners with the same settings plan together, each from its own state: every CEM
   * iteration each draws its P sequences, one `score` call scores all K·P, each refits to its own
   * elites. Planner k's result equals what `planners[k].plan` would return with the same draws.
   */
  static async planTogether(planners: readonly CemPlanner[], score: BatchSequenceScorer): Promise<PlanResult[]> {
    if (planners.length === 0) return [];
    const { population, horizon, iterations } = planners[0].settings;
    for (const planner of planners) {
      const s = planner.settings;
      if (s.population !== population || s.horizon !== horizon || s.iterations !== iterations) {
        throw new Error('CEM: planners planning together need the same population, horizon and iterations');
      }
    }
    const sequences = new Float64Array(planners.length * population * horizon);
    const returns = new Float64Array(planners.length * population);
    for (const planner of planners) planner.startPlanning();
    for (let iteration = 0; iteration < iterations; iteration++) {
      planners.forEach((planner, k) => {
        planner.sample();
        sequences.set(planner.sequences, k * population * horizon);
      });
      await score(sequences, returns);
      planners.forEach((planner, k) => {
        planner.returns.set(returns.subarray(k * population, (k + 1) * population));
        planner.refitToElites();
      });
    }
    return planners.map((planner) => planner.finishPlanning());
  }

  private startPlanning(): void {
    this.bestReturn = -Infinity;
    this.bestFirstAction = 0;
  }

  /** Ranks the scored sequences (a non-finite score ranks last), keeps the best, refits to the elites. */
  private refitToElites(): void {
    const { population, elites, horizon, smoothing } = this.settings;
    for (let p = 0; p < population; p++) {
      this.order[p] = p;
      if (!Number.isFinite(this.returns[p])) this.returns[p] = -Infinity;
    }
    this.order.sort((a, b) => this.returns[b] - this.returns[a]);
    if (this.returns[this.order[0]] > this.bestReturn) {
      this.bestReturn = this.returns[this.order[0]];
      this.bestFirstAction = this.sequences[this.order[0] * horizon];
    }
    this.refit(elites, smoothing);
  }

  /** Acts with the best first action seen and shifts the plan for the next step. */
  private finishPlanning(): PlanResult {
    this.shiftPlan();
    return { action: this.bestFirstAction, expectedReturn: this.bestReturn };
  }

  private sample(): void {
    const { population, horizon } = this.settings;
    const space = this.space;
    for (let p = 0; p < population; p++) {
      for (let t = 0; t < horizon; t++) {
        let action: number;
        if (space.kind === 'box') {
          action = this.mean[t] + this.std[t] * this.rng.normal();
          action = Math.min(space.high, Math.max(space.low, action));
        } else {
          action = this.drawCategorical(t);
        }
        this.sequences[p * horizon + t] = action;
      }
    }
  }

  private drawCategorical(step: number): number {
    const n = (this.space as { n: number }).n;
    let u = this.rng.next();
    for (let k = 0; k < n - 1; k++) {
      u -= this.probabilities[step * n + k];
      if (u < 0) return k;
    }
    return n - 1;
  }

  private refit(elites: number, smoothing: number): void {
    const { horizon } = this.settings;
    if (this.space.kind === 'box') {
      for (let t = 0; t < horizon; t++) {
        let sum = 0;
        for (let e = 0; e < elites; e++) sum += this.sequences[this.order[e] * horizon + t];
        const eliteMean = sum / elites;
        let squares = 0;
        for (let e = 0; e < elites; e++) {
          const d = this.sequences[this.order[e] * horizon + t] - eliteMean;
          squares += d * d;
        }
        const eliteStd = Math.sqrt(squares / elites);
        this.mean[t] = smoothing * this.mean[t] + (1 - smoothing) * eliteMean;
        this.std[t] = smoothing * this.std[t] + (1 - smoothing) * eliteStd;
      }
      return;
    }
    const n = this.space.n;
    for (let t = 0; t < horizon; t++) {
      for (let k = 0; k < n; k++) this.probabilities[t * n + k] *= smoothing;
      for (let e = 0; e < elites; e++) {
        const action = this.sequences[this.order[e] * horizon + t];
        this.probabilities[t * n + action] += (1 - smoothing) / elites;
      }
    }
  }

  /** Receding horizon: the plan's tail becomes the next plan's head; the new last step is wide. */
  private shiftPlan(): void {
    const { horizon } = this.settings;
    if (this.space.kind === 'box') {
      this.mean.copyWithin(0, 1);
      this.std.copyWithin(0, 1);
      this.mean[horizon - 1] = (this.space.low + this.space.high) / 2;
      this.std[horizon - 1] = (this.space.high - this.space.low) / 2;
      // Keep some spread everywhere so the plan can still change its mind.
      const floor = 0.05 * (this.space.high - this.space.low);
      for (let t = 0; t < horizon; t++) this.std[t] = Math.max(this.std[t], floor);
      return;
    }
    const n = this.space.n;
    this.probabilities.copyWithin(0, n);
    for (let k = 0; k < n; k++) this.probabilities[(horizon - 1) * n + k] = 1 / n;
    for (let i = 0; i < this.probabilities.length; i++) {
      this.probabilities[i] = 0.9 * this.probabilities[i] + 0.1 / n;
    }
  }
}
