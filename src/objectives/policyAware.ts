/**
 * `policyAware`: policy-aware simulator learning as a zero-sum game between the model and an
 * adversarial policy that seeks the model's errors. Each iteration:
 *
 *   collect   a share ς of the real budget by the adversary ν in the real env   (active selection)
 *   fit       f̂ ← argmin_f Σ_i w_i ℓ(f; o_i, a_i, o'_i),                       (the minimax step)
 *             w_i = (1 + λ ρ_{π,ν}(o_i)/ρ̄)/(1 + λ)   (occupancyWeights.ts)
 *   improve   π in f̂ (the loop's optimiser), V ← TD(λ)
 *   adversary e(o, a) ≈ |V(o'_real) − V(ô')| on held-out real rows, carried off the data by an
 *             error head (or the ensemble's disagreement, the naive ablation)      (errorSignal.ts)
 *             ν ← argmax_ν E_f̂ [Σ_t γ^t e(o_t, ν(o_t))]                         (the Error-MDP)
 *             ρ_{π,ν} ← where π and ν go in f̂, for the next minimax step
 *
 * Only the errors that move the policy's value reward the adversary, and only where the players
 * go does the model's loss lean: the model spends its capacity on what decides the return.
 */
import type { ExperimentConfig } from '../config/schema';
import { criticErrors } from '../metrics/simulationBound';
import { evaluateReal } from '../metrics/evaluation';
import { oneStepError } from '../metrics/modelError';
import { projectPath, round } from '../metrics/stateGrid';
import type { TransitionRows } from '../metrics/transitionRows';
import { likelihoodObjective, type ModelObjective } from '../models/objective';
import { Adversary } from '../policies/adversary';
import type { ImprovementResult } from '../policies/improver';
import { JsPolicy } from '../policies/jsPolicy';
import type { StartState } from '../policies/oracle';
import type { Rng } from '../rng';
import { disagreementSignal, ErrorHead, type ErrorSignal } from './errorSignal';
import { imaginedVisits } from './imaginedVisits';
import type {
  BehaviourShare,
  LearningObjective,
  ObjectiveFigures,
  ObjectiveSetup,
  ObjectiveWorld,
} from './learningObjective';
import { occupancyDensity, slotWeights, weightedLikelihood } from './occupancyWeights';
import { CRITIC } from '../policies/criticShape';

const ERROR_HEAD_WIDTH = 64;
/** Below this many held-out rows the error head learns from every real row instead. */
const MIN_HOLDOUT_ROWS = 64;
const TRAJECTORY_POINTS = 100;

export class PolicyAwareGame implements LearningObjective {
  readonly kind = 'policyAware';
  private readonly settings: ExperimentConfig['objective'];
  private readonly explorationNoise: number;
  private readonly adversarySteps: number;
  private readonly adversary: Adversary;
  private readonly errorHead: ErrorHead | null;
  private readonly rng: Record<'collect' | 'play' | 'head' | 'visits', Rng>;
  private lastPlay: ImprovementResult | null = null;
  /** The visits of both players in the model at the end of the last iteration. */
  private visits: Float32Array[] = [];
  private collected = 0;
  private budget = 0;

  constructor(setup: ObjectiveSetup) {
    const { config, definition, inputMean, inputScale, rng } = setup;
    this.settings = config.objective;
    this.explorationNoise = config.data.explorationNoise;
    this.adversarySteps = config.optimiser.stepsPerIteration;
    const spec = definition.spec;
    const d = spec.observationNames.length;
    const o = config.optimiser;
    this.adversary = new Adversary(
      {
        observationDim: d,
        actionSpace: spec.actionSpace,
        width: o.policyWidth,
        depth: o.policyDepth,
        inputMean,
        inputScale,
      },
      { observationDim: d, width: CRITIC.width, depth: CRITIC.depth, inputMean, inputScale },
      o.learningRate,
      CRITIC.learningRate,
      rng.fork('adversary'),
    );
    if (this.settings.adversarySignal === 'disagreement' && config.model.ensembleSize < 2) {
      throw new Error(
        'objective "policyAware" with the disagreement signal needs model.ensembleSize ≥ 2',
      );
    }
    this.errorHead =
      this.settings.adversarySignal === 'critic'
        ? new ErrorHead(
            {
              observationDim: d,
              actionSpace: spec.actionSpace,
              inputMean,
              inputScale,
              width: ERROR_HEAD_WIDTH,
            },
            rng.fork('error-head'),
          )
        : null;
    this.rng = {
      collect: rng.fork('collect'),
      play: rng.fork('play'),
      head: rng.fork('head-minibatch'),
      visits: rng.fork('visits'),
    };
  }

  /** The adversary collects ς of the budget once it has played (it knows nothing before). */
  behaviour(_world: ObjectiveWorld, budget: number): BehaviourShare | null {
    this.budget = budget;
    this.collected = this.lastPlay === null ? 0 : Math.round(this.settings.adversaryShare * budget);
    if (this.collected === 0) return null;
    return {
      steps: this.collected,
      act: this.adversary.actor(this.explorationNoise, this.rng.collect),
    };
  }

  /** The minimax step: likelihood weighted toward both players' occupancy, floored. */
  modelLoss(world: ObjectiveWorld): Promise<ModelObjective> {
    if (this.settings.strength === 0 || this.visits.length === 0)
      return Promise.resolve(likelihoodObjective);
    const projection = world.definition.spec.projection;
    const density = occupancyDensity(projection, this.visits, world.model.observationDim);
    return Promise.resolve(
      weightedLikelihood(slotWeights(world.buffer, projection, density, this.settings.strength)),
    );
  }

  adaptModel(): Promise<void> {
    return Promise.resolve();
  }

  policyReward(): null {
    return null;
  }

  /** The adversary's turn, in the model the policy just trained in. */
  async afterImprove(world: ObjectiveWorld): Promise<void> {
    const signal = await this.errorSignal(world);
    const { model, buffer, imagination } = world;
    try {
      this.lastPlay = await this.adversary.play(
        model,
        buffer,
        signal,
        imagination,
        this.adversarySteps,
        this.rng.play,
      );
    } finally {
      signal.dispose();
    }
    const { rollouts, horizon } = imagination;
    this.visits = [
      await imaginedVisits(model, world.policy, buffer, rollouts, horizon, this.rng.visits),
      await imaginedVisits(model, this.adversary.policy, buffer, rollouts, horizon, this.rng.visits),
    ];
  }

  /** The adversary judged in the real env: the errors it actually meets, and where it went. */
  async figures(
    world: ObjectiveWorld,
    starts: readonly StartState[],
    episodeLength: number,
  ): Promise<ObjectiveFigures> {
    const spec = world.definition.spec;
    const actor = new JsPolicy(await this.adversary.policy.snapshot());
    const run = evaluateReal(spec.id, world.realParams, starts, episodeLength, (o) => actor.act(o));
    const modelError = await oneStepError(world.model, run.transitions);
    const criticError = await criticErrors(world.model, world.critic, run.transitions);
    const play = this.lastPlay;
    return {
      report: {
        kind: this.kind,
        adversary: {
          imaginedErrorReturn:
            play === null || !Number.isFinite(play.imaginedReturn)
              ? null
              : round(play.imaginedReturn),
          realCriticError: finiteOrNull(mean(criticError)),
          realModelError: finiteOrNull(modelError.mean),
          collectedShare: this.budget === 0 ? 0 : round(this.collected / this.budget),
        },
      },
      adversaryTrajectory: projectPath(
        spec.projection,
        run.firstEpisode,
        spec.observationNames.length,
        TRAJECTORY_POINTS,
      ),
    };
  }

  dispose(): void {
    this.adversary.dispose();
    this.errorHead?.dispose();
  }

  /** e(o, a) for the model as it is now: the critic error fitted on held-out real rows, or disagreement. */
  private async errorSignal(world: ObjectiveWorld): Promise<ErrorSignal> {
    if (this.errorHead === null) return disagreementSignal(world.model);
    const { buffer } = world;
    const holdout = buffer.slots('holdout');
    const slots = holdout.length >= MIN_HOLDOUT_ROWS ? holdout : buffer.slots('all');
    const batch = buffer.gather(slots);
    const rows: TransitionRows = {
      count: batch.count,
      observationDim: buffer.observationDim,
      observations: batch.observations,
      actions: batch.actions,
      nextObservations: batch.nextObservations,
    };
    const errors = await criticErrors(world.model, world.critic, rows);
    await this.errorHead.fit(batch.observations, batch.actions, errors, this.rng.head);
    return this.errorHead.signal();
  }
}

function mean(values: Float32Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return values.length === 0 ? Number.NaN : sum / values.length;
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? round(value) : null;
}
