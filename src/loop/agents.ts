/**
 * What acts in the world, as the loop asks it: collect real transitions, get better in
 * imagination, play the judged episodes for real and inside the model. Two agents answer:
 * - a policy network, improved by the gradient or REINFORCE optimiser (improver.ts);
 * - CEM-MPC, which has no network to improve: it plans in the freshly fitted model at every step.
 * Long work yields its progress in [0, 1] (phases.ts turns it into phase events).
 */
import type { ExperimentConfig } from '../config/schema';
import { collectTransitions } from '../data/collect';
import type { ReplayBuffer } from '../data/replayBuffer';
import { requireFinite, requireFiniteWeights } from '../divergence';
import type { BatchedEnv, EnvId, PhysicalParams } from '../envs/types';
import {
  evaluateReal,
  evaluateSim,
  type RealEvaluation,
  type SimEvaluation,
} from '../metrics/evaluation';
import type { WorldModel } from '../models/worldModel';
import type { Critic } from '../policies/critic';
import type { ImprovementContext, ImprovementResult, PolicyImprover } from '../policies/improver';
import { JsPolicy } from '../policies/jsPolicy';
import { fitCriticToRun, type ClosedLoopRun, type MpcController } from '../policies/mpcController';
import type { StartState } from '../policies/oracle';
import type { PolicyNetwork } from '../policies/policyNetwork';
import type { Rng } from '../rng';
import { finiteActions, inChunks, PROGRESS_CHUNKS, splitSteps, withoutProgress } from './phases';

/** The judged episodes: from these starts, this long. */
export interface Episodes {
  readonly envId: EnvId;
  readonly params: PhysicalParams;
  readonly starts: readonly StartState[];
  /** The same starts as the model sees them, [K × d] row-major. */
  readonly startObservations: Float32Array;
  readonly length: number;
}

/** A collect phase's work: `steps` real transitions into `buffer`, exploration noise of std `noise`. */
export interface Collection {
  readonly env: BatchedEnv;
  readonly buffer: ReplayBuffer;
  readonly steps: number;
  readonly noise: number;
  readonly rng: { readonly collect: Rng; readonly reset: Rng };
}

export interface Agent {
  collect(work: Collection): AsyncGenerator<number, void, undefined>;
  /** Better in imagination; the figures, or null when it took no step. */
  improve(
    context: ImprovementContext,
    episodes: Episodes,
  ): AsyncGenerator<number, ImprovementResult | null, undefined>;
  /** Its episodes in the real world. */
  playReal(episodes: Episodes): AsyncGenerator<number, RealEvaluation, undefined>;
  /** Its episodes inside the model, closed loop. */
  playInModel(model: WorldModel, episodes: Episodes): Promise<SimEvaluation>;
  dispose(): void;
}

/** A policy network improved in imagination; `config` reads the run's config as it is now. */
export class NetworkAgent implements Agent {
  constructor(
    private readonly policy: PolicyNetwork,
    private readonly critic: Critic,
    private readonly improver: PolicyImprover,
    private readonly config: () => ExperimentConfig,
  ) {}

  collect({ env, buffer, steps, noise, rng }: Collection): AsyncGenerator<number, void, undefined> {
    return withoutProgress(async () => {
      const actor = new JsPolicy(await this.policy.snapshot());
      const act = finiteActions(
        (o) => actor.act(o, noise, rng.collect),
        "the policy's action",
        'the policy network diverged: lower optimiser.learningRate',
      );
      collectTransitions(env, buffer, steps, act, rng.reset);
    });
  }

  async *improve(
    context: ImprovementContext,
  ): AsyncGenerator<number, ImprovementResult | null, undefined> {
    const config = this.config();
    let result: ImprovementResult | null = null;
    for (const [chunk, steps] of splitSteps(config.optimiser.stepsPerIteration).entries()) {
      yield chunk / PROGRESS_CHUNKS;
      result = await this.improver.improve(context, steps);
      const cause = `optimiser.learningRate (${config.optimiser.learningRate}) too high, or imagined rollouts blowing up over imagination.horizon (${config.imagination.horizon} steps)`;
      requireFinite(
        [result.policyLoss, result.criticLoss, result.imaginedReturn],
        'improve',
        "the policy's imagined return or its losses",
        cause,
      );
      await requireFiniteWeights(
        [...this.policy.variables, ...this.critic.variables],
        'improve',
        "the policy's or the critic's weights",
        cause,
      );
    }
    return result;
  }

  playReal(episodes: Episodes): AsyncGenerator<number, RealEvaluation, undefined> {
    return withoutProgress(async () => {
      const actor = new JsPolicy(await this.policy.snapshot());
      const act = finiteActions(
        (o) => actor.act(o),
        "the policy's action",
        "the policy's weights gave a non-finite action",
        'evaluate',
      );
      return evaluateReal(episodes.envId, episodes.params, episodes.starts, episodes.length, act);
    });
  }

  playInModel(model: WorldModel, episodes: Episodes): Promise<SimEvaluation> {
    return evaluateSim(
      model,
      episodes.startObservations,
      episodes.length,
      this.policy,
      this.config().reward.kind,
    );
  }

  dispose(): void {
    this.improver.dispose();
  }
}

/**
 * CEM-MPC. Its improve phase runs the planner closed-loop inside the freshly fitted model from the
 * judged starts (the sim evaluation, kept for the report) and fits the critic to those imagined
 * episodes by TD(λ), so the bound weighs model errors by the value of the controller itself. The
 * imagined return reported is what the planner expected over its horizon, averaged over its
 * decisions (undiscounted, as CEM scores sequences); the policy loss is its negative.
 */
export class PlannerAgent implements Agent {
  /** This iteration's closed-loop run inside the model. */
  private imagined: ClosedLoopRun | null = null;

  constructor(
    private readonly mpc: MpcController,
    private readonly critic: Critic,
    private readonly config: () => ExperimentConfig,
  ) {}

  async *collect({
    env,
    buffer,
    steps,
    noise,
    rng,
  }: Collection): AsyncGenerator<number, void, undefined> {
    yield* inChunks(this.mpc.collect(env, buffer, steps, noise, rng.collect, rng.reset));
  }

  async *improve(
    _context: ImprovementContext,
    episodes: Episodes,
  ): AsyncGenerator<number, ImprovementResult, undefined> {
    const { optimiser } = this.config();
    yield 0;
    this.imagined = null;
    const run = yield* inChunks(this.mpc.evaluateSim(episodes.startObservations, episodes.length));
    const steps = optimiser.stepsPerIteration;
    const criticLoss = await fitCriticToRun(
      this.critic,
      run,
      steps,
      optimiser.discount,
      optimiser.lambda,
    );
    this.imagined = run;
    return {
      steps,
      policyLoss: -run.expectedReturn,
      criticLoss,
      imaginedReturn: run.expectedReturn,
    };
  }

  async *playReal(episodes: Episodes): AsyncGenerator<number, RealEvaluation, undefined> {
    return yield* inChunks(
      this.mpc.evaluateReal(episodes.envId, episodes.params, episodes.starts, episodes.length),
    );
  }

  async playInModel(): Promise<SimEvaluation> {
    if (this.imagined === null)
      throw new Error('PlannerAgent: no run inside the model before the improve phase');
    return this.imagined;
  }

  dispose(): void {
    this.imagined = null;
  }
}
