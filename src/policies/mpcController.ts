/**
 * CEM-MPC in the learned model (PETS-style): the third way to act, with no policy network.
 * At every step, from the current observation o:
 *   for i = 1..I:
 *     draw P action sequences a_{0..H−1} from the plan (N(μ_t, σ_t²) clipped to the box, or
 *       Categorical(p_t));
 *     score each by its imagined return Ĵ(a) = Σ_{t<H} r(ô_t, a_t, ô_{t+1}),  ô_0 = o,
 *       ô_{t+1} = f̂_{m(t)}(ô_t, a_t) with a member m drawn per sequence and step (PETS's TS1);
 *     refit the plan to the E best (cem.ts);
 *   act with the best sequence's first action; shift the plan one step (receding horizon).
 *
 * Batched: K episodes plan together (CemPlanner.planTogether), so each CEM iteration is ONE model
 * rollout of K·P rows, whose policy replays the sequences column by column.
 *
 * Why a member per sequence and step ('random') rather than the ensemble mean: it is the model
 * the gradient and REINFORCE optimisers imagine in and the sim evaluation runs, so the three ways
 * to act exploit the same model and their gaps mean the same thing; the mean of the members is a
 * model no member is (it averages away their disagreement and smooths the dynamics). The cost is a
 * noisier score per sequence; the elites' average absorbs most of it.
 *
 * The same controller runs the loop's three MPC jobs: collecting real data (with exploration
 * noise), the real evaluation (K episodes in lockstep in a batched env), and the sim evaluation,
 * where the planner plans in the model and the model also steps the "world". Each is an async
 * generator that yields its progress in [0, 1) after every step and returns its result; no
 * tensor outlives a step, so stopping between steps leaks nothing.
 */
import * as tf from '@tensorflow/tfjs';
import type { ReplayBuffer } from '../data/replayBuffer';
import { getEnv } from '../envs/index';
import type { ActionSpace, BatchedEnv, EnvId, PhysicalParams } from '../envs/types';
import type { RealEvaluation, SimEvaluation } from '../metrics/evaluation';
import { TransitionRowsBuilder } from '../metrics/transitionRows';
import type { Policy } from '../models/policy';
import type { MemberChoice } from '../models/rollout';
import type { WorldModel } from '../models/worldModel';
import type { Rng } from '../rng';
import { CemPlanner, type CemSettings, type PlanResult } from './cem';
import type { Critic } from './critic';
import type { StartState } from './oracle';

export interface MpcSettings extends CemSettings {
  /** Which member steps the imagined sequences (rollout.ts); 'random' unless there is a reason. */
  readonly member: MemberChoice;
  readonly reward: 'known' | 'learned';
}

/** The closed-loop run of the controller inside the model (the sim evaluation), with its trajectories. */
export interface ClosedLoopRun extends SimEvaluation {
  /** The mean over every decision of the return the planner expected over its horizon. */
  readonly expectedReturn: number;
  /** [L+1, K, d], [L, K], [L, K] row-major: held at the last state and masked after a termination. */
  readonly observations: Float32Array;
  readonly rewards: Float32Array;
  readonly alive: Float32Array;
  readonly episodes: number;
  readonly steps: number;
}

export class MpcController {
  private readonly model: WorldModel;
  private readonly settings: MpcSettings;
  private readonly rng: Rng;
  private readonly memberRng: Rng;
  private readonly space: ActionSpace;
  /** Collection continues its episode across calls, so its plan stays warm across calls too. */
  private collectionPlanner: CemPlanner | null = null;

  constructor(model: WorldModel, settings: MpcSettings, rng: Rng) {
    this.model = model;
    this.settings = settings;
    this.rng = rng;
    this.memberRng = rng.fork('members');
    this.space = model.spec.actionSpace;
  }

  /**
   * Fresh planners, one per episode, each with its own named random stream: the same names give
   * the same draws, so every iteration's evaluation plans with the same noise (as it starts from
   * the same states) and differences between iterations come from the model.
   */
  planners(count: number, stream: string): CemPlanner[] {
    return Array.from(
      { length: count },
      (_, k) => new CemPlanner(this.space, this.settings, this.rng.fork(`${stream}-${k}`)),
    );
  }

  /** Planner k plans from observation k (`observations`: [K × d] row-major), all in one rollout per CEM iteration. */
  plan(planners: readonly CemPlanner[], observations: Float32Array): Promise<PlanResult[]> {
    return CemPlanner.planTogether(planners, (sequences, returns) =>
      this.score(observations, sequences, returns),
    );
  }

  /** Ĵ for the K·P sequences: one imagined rollout, row k·P + p starting from observation k. */
  private async score(
    observations: Float32Array,
    sequences: Float64Array,
    returns: Float64Array,
  ): Promise<void> {
    const d = this.model.observationDim;
    const { horizon: H } = this.settings;
    const R = returns.length;
    const P = R / (observations.length / d);
    const startRows = new Float32Array(R * d);
    for (let r = 0; r < R; r++)
      startRows.set(
        observations.subarray(Math.floor(r / P) * d, (Math.floor(r / P) + 1) * d),
        r * d,
      );
    // Column t of the plans holds every sequence's action at step t: [H, R].
    const columns = new Float32Array(H * R);
    for (let r = 0; r < R; r++)
      for (let t = 0; t < H; t++) columns[t * R + r] = sequences[r * H + t];
    const starts = tf.tensor2d(startRows, [R, d]);
    const plans = tf.tensor2d(columns, [H, R]);
    let total: tf.Tensor1D | null = null;
    try {
      const rollout = this.model.rollout(starts, replayColumns(plans), H, {
        member: this.settings.member,
        reward: this.settings.reward,
        rng: this.memberRng,
      });
      total = tf.sum(rollout.rewards, 0); // Σ_t r_t, zero after a termination
      rollout.dispose();
      returns.set(await total.data());
    } finally {
      tf.dispose([starts, plans, ...(total === null ? [] : [total])]);
    }
  }

  /**
   * `steps` real transitions into the buffer, acting with the plan's first action plus
   * exploration noise: box a + N(0, (noiseStd·half-width)²) clipped, which is about the spread
   * JsPolicy's pre-squash noise gives near the centre; discrete: a uniform action with
   * probability min(1, noiseStd). Episodes run on across calls, restarting as collectTransitions does.
   */
  async *collect(
    env: BatchedEnv,
    buffer: ReplayBuffer,
    steps: number,
    noiseStd: number,
    noiseRng: Rng,
    resetRng: Rng,
  ): AsyncGenerator<number, void, undefined> {
    if (env.size !== 1) throw new Error('MpcController.collect steps one env at a time');
    const d = env.observations.length;
    const observation = new Float32Array(d);
    const next = new Float64Array(d);
    const action = new Float64Array(1);
    this.collectionPlanner ??= this.planners(1, 'collect')[0];
    const planner = this.collectionPlanner;
    for (let step = 0; step < steps; step++) {
      for (let k = 0; k < d; k++) observation[k] = env.observations[k][0];
      const [planned] = await this.plan([planner], observation);
      action[0] = withNoise(planned.action, this.space, noiseStd, noiseRng);
      env.step(action);
      for (let k = 0; k < d; k++) next[k] = env.observations[k][0];
      buffer.add(observation, action[0], env.rewards[0], next, env.terminated[0] === 1);
      if (env.terminated[0] === 1 || env.truncated[0] === 1) {
        env.resetAt(0, resetRng);
        planner.resetPlan();
      }
      if (step + 1 < steps) yield (step + 1) / steps;
    }
  }

  /**
   * The real evaluation (evaluation.ts's `evaluateReal`, same result) with the controller acting
   * without noise: the K episodes run in lockstep in a batched env so that they plan together.
   */
  async *evaluateReal(
    envId: EnvId,
    params: PhysicalParams,
    starts: readonly StartState[],
    episodeLength: number,
  ): AsyncGenerator<number, RealEvaluation, undefined> {
    const K = starts.length;
    const env = getEnv(envId).createBatch(K, params);
    const d = env.observations.length;
    starts.forEach((start, k) => {
      env.setState(k, start.state, start.dtype);
      env.elapsedSteps[k] = 0;
    });
    const planners = this.planners(K, 'evaluate');
    const episodes = starts.map(() => new TransitionRowsBuilder(d));
    const returns = new Array<number>(K).fill(0);
    const running = new Uint8Array(K).fill(1);
    const firstEpisode: number[] = [];
    const firstEpisodeActions: number[] = [];
    const actions = new Float64Array(K).fill(restingAction(this.space));
    const observation = new Float64Array(d);
    const next = new Float64Array(d);
    for (let t = 0; t < episodeLength; t++) {
      const active = activeIndices(running);
      if (active.length === 0) break;
      const observations = new Float32Array(active.length * d);
      active.forEach((k, row) => {
        for (let c = 0; c < d; c++) observations[row * d + c] = env.observations[c][k];
      });
      const planned = await this.plan(
        active.map((k) => planners[k]),
        observations,
      );
      active.forEach((k, row) => (actions[k] = planned[row].action));
      if (running[0] === 1) for (let c = 0; c < d; c++) firstEpisode.push(env.observations[c][0]);
      env.step(actions); // finished episodes step on with a resting action, ignored
      active.forEach((k, row) => {
        for (let c = 0; c < d; c++) {
          observation[c] = observations[row * d + c];
          next[c] = env.observations[c][k];
        }
        episodes[k].add(observation, actions[k], next);
        returns[k] += env.rewards[k];
        const ends = env.terminated[k] === 1;
        if (k === 0) {
          firstEpisodeActions.push(actions[0]);
          if (ends || t === episodeLength - 1) firstEpisode.push(...next);
        }
        if (ends) running[k] = 0;
      });
      if (t + 1 < episodeLength) yield (t + 1) / episodeLength;
    }
    return {
      returns,
      meanReturn: returns.reduce((a, b) => a + b, 0) / K,
      transitions: concatenateRows(episodes, d),
      firstEpisode: Float64Array.from(firstEpisode),
      firstEpisodeActions,
    };
  }

  /**
   * The sim evaluation: the same controller closed-loop inside the model from the same start
   * observations ([K × d]); at each step the planner plans in the model, and the model (one member
   * drawn per episode and step, as evaluateSim steps a policy) moves the imagined world.
   */
  async *evaluateSim(
    startObservations: Float32Array,
    episodeLength: number,
  ): AsyncGenerator<number, ClosedLoopRun, undefined> {
    const d = this.model.observationDim;
    const K = startObservations.length / d;
    const L = episodeLength;
    const planners = this.planners(K, 'imagine');
    const observations = new Float32Array((L + 1) * K * d);
    const rewards = new Float32Array(L * K);
    const alive = new Float32Array(L * K);
    observations.set(startObservations);
    const running = new Uint8Array(K).fill(1);
    const worldRng = this.rng.fork('world');
    let expectedSum = 0;
    let decisions = 0;
    for (let t = 0; t < L; t++) {
      const now = observations.subarray(t * K * d, (t + 1) * K * d);
      const after = observations.subarray((t + 1) * K * d, (t + 2) * K * d);
      after.set(now); // finished episodes hold their last observation
      const active = activeIndices(running);
      if (active.length > 0) {
        const current = new Float32Array(active.length * d);
        active.forEach((k, row) => current.set(now.subarray(k * d, (k + 1) * d), row * d));
        const planned = await this.plan(
          active.map((k) => planners[k]),
          current,
        );
        for (const { expectedReturn } of planned) {
          expectedSum += expectedReturn;
          decisions++;
        }
        const step = await this.modelStep(
          current,
          planned.map((p) => p.action),
          worldRng,
        );
        active.forEach((k, row) => {
          after.set(step.next.subarray(row * d, (row + 1) * d), k * d);
          rewards[t * K + k] = step.rewards[row];
          alive[t * K + k] = 1;
          if (step.terminated[row] === 1) running[k] = 0;
        });
      }
      if (t + 1 < L) yield (t + 1) / L;
    }
    const returns = new Array<number>(K).fill(0);
    const visited: number[] = [];
    const firstEpisode: number[] = [];
    for (let t = 0; t < L; t++) {
      for (let k = 0; k < K; k++) {
        if (alive[t * K + k] === 0) continue;
        returns[k] += rewards[t * K + k];
        const row = observations.subarray((t * K + k) * d, (t * K + k + 1) * d);
        visited.push(...row);
        if (k === 0) firstEpisode.push(...row);
      }
    }
    return {
      returns,
      meanReturn: returns.reduce((a, b) => a + b, 0) / K,
      visited: Float64Array.from(visited),
      firstEpisode: Float64Array.from(firstEpisode),
      expectedReturn: decisions > 0 ? expectedSum / decisions : Number.NaN,
      observations,
      rewards,
      alive,
      episodes: K,
      steps: L,
    };
  }

  /** One step of the imagined world from [n × d] under the chosen actions. */
  private async modelStep(
    observations: Float32Array,
    actions: number[],
    rng: Rng,
  ): Promise<{ next: Float32Array; rewards: Float32Array; terminated: Float32Array }> {
    const d = this.model.observationDim;
    const n = actions.length;
    const [next, rewards, terminated] = tf.tidy(() => {
      const starts = tf.tensor2d(observations, [n, d]);
      const chosen = tf.tensor2d(Float32Array.from(actions), [n, 1]);
      const rollout = this.model.rollout(starts, () => chosen.clone(), 1, {
        member: this.settings.member === 'mean' ? 'mean' : 'random',
        reward: this.settings.reward,
        rng,
      });
      const after = tf.reshape(tf.slice(rollout.observations, [1, 0, 0], [1, n, d]), [
        n,
        d,
      ]) as tf.Tensor2D;
      const ended = this.model.knownReward.terminated(after) ?? tf.zeros([n]);
      const kept = [after, tf.reshape(rollout.rewards, [n]), ended];
      rollout.dispose();
      return kept;
    });
    try {
      const [a, b, c] = await Promise.all([next.data(), rewards.data(), terminated.data()]);
      return {
        next: Float32Array.from(a),
        rewards: Float32Array.from(b),
        terminated: Float32Array.from(c),
      };
    } finally {
      tf.dispose([next, rewards, terminated]);
    }
  }
}

/**
 * What improving means for CEM-MPC: there is no network, the planner is rebuilt from the model
 * at every step. The critic still learns the value of the controller in the model, by TD(λ) on
 * its own closed-loop imagined episodes, because the simulation bound weighs model errors by it.
 * Returns the last critic loss (NaN for zero steps).
 */
export async function fitCriticToRun(
  critic: Critic,
  run: ClosedLoopRun,
  steps: number,
  discount: number,
  lambda: number,
): Promise<number> {
  const { episodes: K, steps: L } = run;
  const d = run.observations.length / ((L + 1) * K);
  const trajectories = {
    observations: tf.tensor3d(run.observations, [L + 1, K, d]),
    rewards: tf.tensor2d(run.rewards, [L, K]),
    alive: tf.tensor2d(run.alive, [L, K]),
  };
  let loss = Number.NaN;
  try {
    for (let step = 0; step < steps; step++)
      loss = await critic.train(trajectories, discount, lambda);
  } finally {
    tf.dispose([trajectories.observations, trajectories.rewards, trajectories.alive]);
  }
  return loss;
}

/** The rollout calls its policy once per step, in order: step t returns column t of plans [H, R] as [R, 1]. */
function replayColumns(plans: tf.Tensor2D): Policy {
  const [H, R] = plans.shape;
  let t = 0;
  return () => tf.reshape(tf.slice(plans, [Math.min(t++, H - 1), 0], [1, R]), [R, 1]);
}

function withNoise(action: number, space: ActionSpace, noiseStd: number, rng: Rng): number {
  if (noiseStd <= 0) return action;
  if (space.kind === 'box') {
    const noisy = action + noiseStd * ((space.high - space.low) / 2) * rng.normal();
    return Math.min(space.high, Math.max(space.low, noisy));
  }
  return rng.next() < Math.min(1, noiseStd) ? rng.int(space.n) : action;
}

/** A valid action for envs whose episode has ended (they step on, unread). */
function restingAction(space: ActionSpace): number {
  return space.kind === 'box' ? (space.low + space.high) / 2 : 0;
}

function activeIndices(running: Uint8Array): number[] {
  const active: number[] = [];
  running.forEach((flag, k) => {
    if (flag === 1) active.push(k);
  });
  return active;
}

/** Episode by episode, in start order, as evaluateReal builds them. */
function concatenateRows(episodes: TransitionRowsBuilder[], d: number) {
  const all = new TransitionRowsBuilder(d);
  for (const episode of episodes) {
    const rows = episode.build();
    for (let i = 0; i < rows.count; i++) {
      all.add(
        rows.observations.subarray(i * d, (i + 1) * d),
        rows.actions[i],
        rows.nextObservations.subarray(i * d, (i + 1) * d),
      );
    }
  }
  return all.build();
}
