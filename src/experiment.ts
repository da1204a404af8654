/**
 * The loop (DESIGN.md): collect → fit the model → improve the agent in imagination → evaluate →
 * report. An async generator: the consumer pulls events, so pausing is not pulling, stepping is
 * pulling up to the next report, and stopping is `return()` (the `finally` frees every tensor).
 *
 *   for iteration k:
 *     D ← D ∪ {N real transitions of π + exploration noise}            (collect)
 *     f̂ ← argmin_f objective(f; D)                                       (fit)
 *     π ← improve(π; imagined rollouts of f̂ from states in D), V ← TD(λ) (improve)
 *     J_real(π), J_sim(π; f̂), errors of f̂ where π, the oracle and a uniform box go (evaluate)
 *
 * Who acts is an agent (loop/agents.ts: the policy network, or CEM-MPC); what it is judged
 * against is fixed for the run (loop/judge.ts); divergences, failing backends and live changes
 * are handled around the iterations (loop/recovery.ts).
 */
import { nowMs, PhaseClock, secondsSince } from './clock';
import { restartKnobs } from './config/knobs';
import type { ExperimentConfig } from './config/schema';
import { collectTransitions, randomActor } from './data/collect';
import { ReplayBuffer } from './data/replayBuffer';
import { requireFinite, requireFiniteWeights } from './divergence';
import { getEnv } from './envs/index';
import type { BatchedEnv } from './envs/types';
import { round } from './metrics/stateGrid';
import type { FitResult } from './models/fit';
import { likelihoodObjective } from './models/objective';
import type { ObjectiveWorld } from './objectives/index';
import type { ImaginationSettings, ImprovementResult } from './policies/improver';
import type { Episodes } from './loop/agents';
import { Judge, type OracleHooks } from './loop/judge';
import { columnMoments, type Learners } from './loop/learners';
import { finiteActions, phaseEvents, splitSteps, PROGRESS_CHUNKS } from './loop/phases';
import { pretrainOnNominalSimulator } from './loop/pretrain';
import { recovering, type RecoverableRun } from './loop/recovery';
import { checkSupported, RunState } from './loop/runState';
import type { ExperimentEvent, IterationReport, Phase } from './report';
import { createRng, type Rng } from './rng';

export { restartKnobs };
export { oracleRequestFor } from './loop/judge';
export type { Learners } from './loop/learners';

export interface ExperimentHooks extends OracleHooks {
  /** Called as each phase begins, with the learners: tests plant faults (a NaN weight) here. */
  readonly beforePhase?: (phase: Phase, learners: Learners) => void;
  /**
   * Backends that failed mid-run, with their error; a run adds the one it leaves and never goes
   * back to one listed. Runs sharing a thread (the worker's lanes) share it; else one per run.
   */
  readonly failedBackends?: Map<string, string>;
}

/** The run as a stream of events, recovered from divergences and failing backends (loop/recovery.ts). */
export async function* runExperiment(
  config: ExperimentConfig,
  hooks: ExperimentHooks = {},
): AsyncGenerator<ExperimentEvent, void, ExperimentConfig | undefined> {
  yield* recovering(() => new Experiment(config, hooks), hooks.failedBackends ?? new Map<string, string>());
}

class Experiment extends RunState implements RecoverableRun {
  private readonly rng: Record<'collect' | 'reset' | 'imagination', Rng>;
  private readonly realEnv: BatchedEnv;
  private readonly buffer: ReplayBuffer;
  private readonly judge: Judge;
  private lastFit: FitResult | null = null;
  private lastImprovement: ImprovementResult | null = null;

  constructor(config: ExperimentConfig, hooks: ExperimentHooks) {
    checkSupported(config);
    const root = createRng(config.seed);
    const definition = getEnv(config.env.id);
    const spec = definition.spec;
    const realParams = { ...spec.defaultParams, ...config.env.realParams };
    const rng = { collect: root.fork('collect'), reset: root.fork('reset'), imagination: root.fork('imagination') };
    const realEnv = definition.createBatch(1, realParams);
    realEnv.reset(rng.reset);
    const d = spec.observationNames.length;
    const buffer = new ReplayBuffer({
      capacity: config.data.bufferSize,
      observationDim: d,
      actionDim: 1,
      holdoutFraction: config.data.holdoutFraction,
      splitSeed: root.fork('split').seed32(),
    });
    const judge = new Judge(config, definition, realParams, realEnv, root, hooks);
    // The networks' inputs are scaled once, by the uniform box, so their meaning never drifts.
    const inputMoments = columnMoments(judge.uniform.observations, d);
    super(config, { definition, realParams, root, inputMoments, beforePhase: hooks.beforePhase });
    this.rng = rng;
    this.realEnv = realEnv;
    this.buffer = buffer;
    this.judge = judge;
    collectTransitions(realEnv, buffer, config.data.initialRandomSteps, randomActor(realEnv, rng.collect), rng.reset);
  }

  /** One iteration, its phases in the order of the pseudo-code above. */
  async *iterate(iteration: number): AsyncGenerator<ExperimentEvent, void, unknown> {
    const started = nowMs();
    const clock = new PhaseClock();
    this.phaseNow = null;
    if (iteration === 0 && this.config.model.pretrainTransitions > 0) yield* this.pretrain(iteration, clock);
    yield* this.collect(iteration, clock);
    yield* this.fit(iteration, clock);
    yield* this.improve(iteration, clock);
    const report = yield* this.evaluate(iteration, clock);
    await this.saveLastGood();
    const { collect, fit, improve, evaluate } = clock.seconds;
    const timings = { collect: round(collect), fit: round(fit), improve: round(improve), evaluate: round(evaluate) };
    yield { kind: 'report', report: { ...report, seconds: round(secondsSince(started)), timings } };
  }

  /** Sim-to-real: the model learns the nominal simulator before any real data (loop/pretrain.ts). */
  private async *pretrain(iteration: number, clock: PhaseClock): AsyncGenerator<ExperimentEvent, void, unknown> {
    this.phaseNow = 'fit';
    yield { kind: 'phase', iteration, phase: 'fit', progress: 0 };
    this.lastFit = await clock.timed('fit', () => pretrainOnNominalSimulator(this.config, this.setting.definition, this.learners.model));
  }

  /** D ← D ∪ {N real transitions of the agent + noise}, and the objective's own share of them. */
  private async *collect(iteration: number, clock: PhaseClock): AsyncGenerator<ExperimentEvent, void, unknown> {
    const { config, buffer, realEnv, rng } = this;
    yield { kind: 'phase', iteration, phase: 'collect', progress: 0 };
    this.enter('collect');
    const budget = config.data.realStepsPerIteration;
    const share = await clock.timed('collect', () => this.objective.behaviour?.(this.world(iteration), budget) ?? null);
    const own = this.agent.collect({ env: realEnv, buffer, steps: budget - (share?.steps ?? 0), noise: config.data.explorationNoise, rng });
    yield* phaseEvents(iteration, 'collect', clock.seconds, own);
    if (share !== null) {
      const act = finiteActions(share.act, "the adversary's action", 'the adversary diverged: lower optimiser.learningRate');
      await clock.timed('collect', () => collectTransitions(realEnv, buffer, share.steps, act, rng.reset));
    }
  }

  /** f̂ ← argmin_f objective(f; D), in chunks, each checked for a divergence. */
  private async *fit(iteration: number, clock: PhaseClock): AsyncGenerator<ExperimentEvent, void, unknown> {
    const m = this.config.model;
    const { model } = this.learners;
    this.enter('fit');
    const modelLoss = await clock.timed('fit', async () => {
      this.objective.beforeFit?.(this.world(iteration));
      return (await this.objective.modelLoss?.(this.world(iteration))) ?? likelihoodObjective;
    });
    const options = { batchSize: m.batchSize, learningRate: m.learningRate, weightDecay: m.weightDecay, objective: modelLoss };
    const cause = `model.learningRate (${m.learningRate}) too high${m.likelihood === 'gaussian' ? ", or the Gaussian likelihood's variance collapsing" : ''}`;
    for (const [chunk, steps] of splitSteps(m.trainStepsPerIteration).entries()) {
      yield { kind: 'phase', iteration, phase: 'fit', progress: chunk / PROGRESS_CHUNKS };
      this.lastFit = await clock.timed('fit', () => model.fit(this.buffer, steps, options));
      requireFinite(this.lastFit.trainLoss, 'fit', "the model's training loss", cause);
      await requireFiniteWeights(model.variables, 'fit', "the model's weights", cause);
    }
    await clock.timed('fit', () => this.objective.adaptModel?.(this.world(iteration)));
  }

  /** π ← improve(π; imagined rollouts of f̂ from states in D), V ← TD(λ). */
  private async *improve(iteration: number, clock: PhaseClock): AsyncGenerator<ExperimentEvent, void, unknown> {
    this.enter('improve');
    const context = { ...this.learners, buffer: this.buffer, settings: this.imagination(), rng: this.rng.imagination };
    const improved = yield* phaseEvents(iteration, 'improve', clock.seconds, this.agent.improve(context, this.episodes()));
    this.lastImprovement = improved ?? this.lastImprovement;
    await clock.timed('improve', () => this.objective.afterImprove?.(this.world(iteration)));
  }

  /** J_real(π), J_sim(π; f̂), the errors of f̂ where π, the oracle and a uniform box go. */
  private async *evaluate(iteration: number, clock: PhaseClock): AsyncGenerator<ExperimentEvent, IterationReport, unknown> {
    const { config, agent } = this;
    const { model, policy, critic } = this.learners;
    const episodes = this.episodes();
    yield { kind: 'phase', iteration, phase: 'evaluate', progress: 0 };
    this.enter('evaluate');
    const real = yield* phaseEvents(iteration, 'evaluate', clock.seconds, agent.playReal(episodes));
    const report = await clock.timed('evaluate', async () => {
      const sim = await agent.playInModel(model, episodes);
      const { lastFit: fit, lastImprovement: improvement, buffer, objective } = this;
      const lastIteration = iteration >= this.iterations - 1;
      const world = this.world(iteration);
      return this.judge.report({ iteration, lastIteration, model, critic, buffer, real, sim, objective, world, fit, improvement }, episodes.length);
    });
    const length = config.evaluation.episodeLength;
    requireFinite(
      [report.returns.real, report.returns.sim],
      'evaluate',
      'the real or simulated return',
      `the model's closed-loop prediction blows up over evaluation.episodeLength (${length} steps): more real data, or a lower model.learningRate`,
    );
    // Only a state without NaN may become the one a divergence goes back to.
    await requireFiniteWeights(
      [...model.variables, ...policy.variables, ...critic.variables],
      'evaluate',
      "the model's, the policy's or the critic's weights",
      `a learner diverged without a non-finite loss (WASM's relu maps NaN to 0): lower model.learningRate (${config.model.learningRate}) or optimiser.learningRate (${config.optimiser.learningRate})`,
    );
    return report;
  }

  private episodes(): Episodes {
    const { config, judge } = this;
    const { definition, realParams } = this.setting;
    return { envId: definition.spec.id, params: realParams, starts: judge.starts, startObservations: judge.startObservations(), length: config.evaluation.episodeLength };
  }

  private world(iteration: number): ObjectiveWorld {
    const { realEnv, buffer } = this;
    const { definition, realParams } = this.setting;
    return { definition, realParams, realEnv, ...this.learners, buffer, imagination: this.imagination(), iteration };
  }

  private imagination(): ImaginationSettings {
    const { config } = this;
    const reward = this.objective.policyReward?.() ?? null;
    return {
      ...(reward === null ? {} : { imaginedReward: reward }),
      rollouts: config.imagination.rollouts,
      horizon: config.imagination.horizon,
      discount: config.optimiser.discount,
      lambda: config.optimiser.lambda,
      reward: config.reward.kind,
      rewardNoiseStd: config.reward.noiseStd,
      risk: config.risk,
    };
  }
}
