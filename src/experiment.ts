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
import type { ExperimentEvent, Phase } from './report';
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

  async *iterate(iteration: number): AsyncGenerator<ExperimentEvent, void, unknown> {
    const started = nowMs();
    const clock = new PhaseClock();
    const timings = clock.seconds;
    const phase = (name: Phase, progress: number): ExperimentEvent => ({ kind: 'phase', iteration, phase: name, progress });
    const { config, agent, buffer } = this;
    const { model, policy, critic } = this.learners;
    this.phaseNow = null;
    if (iteration === 0 && config.model.pretrainTransitions > 0) {
      this.phaseNow = 'fit';
      yield phase('fit', 0);
      this.lastFit = await clock.timed('fit', () => pretrainOnNominalSimulator(config, this.setting.definition, model));
    }

    yield phase('collect', 0);
    this.enter('collect');
    const budget = config.data.realStepsPerIteration;
    const share = await clock.timed('collect', () => this.objective.behaviour?.(this.world(iteration), budget) ?? null);
    const rng = { collect: this.rng.collect, reset: this.rng.reset };
    yield* phaseEvents(iteration, 'collect', timings, agent.collect(this.realEnv, buffer, budget - (share?.steps ?? 0), config.data.explorationNoise, rng));
    if (share !== null) {
      const act = finiteActions(share.act, "the adversary's action", 'the adversary diverged: lower optimiser.learningRate');
      await clock.timed('collect', () => collectTransitions(this.realEnv, buffer, share.steps, act, this.rng.reset));
    }

    const m = config.model;
    this.enter('fit');
    const modelLoss = await clock.timed('fit', async () => {
      this.objective.beforeFit?.(this.world(iteration));
      return (await this.objective.modelLoss?.(this.world(iteration))) ?? likelihoodObjective;
    });
    for (const [chunk, steps] of splitSteps(m.trainStepsPerIteration).entries()) {
      yield phase('fit', chunk / PROGRESS_CHUNKS);
      this.lastFit = await clock.timed('fit', () =>
        model.fit(buffer, steps, { batchSize: m.batchSize, learningRate: m.learningRate, weightDecay: m.weightDecay, objective: modelLoss }),
      );
      const cause = `model.learningRate (${m.learningRate}) too high${m.likelihood === 'gaussian' ? ", or the Gaussian likelihood's variance collapsing" : ''}`;
      requireFinite(this.lastFit.trainLoss, 'fit', "the model's training loss", cause);
      await requireFiniteWeights(model.variables, 'fit', "the model's weights", cause);
    }
    await clock.timed('fit', () => this.objective.adaptModel?.(this.world(iteration)));

    this.enter('improve');
    const context = { model, policy, critic, buffer, settings: this.imagination(), rng: this.rng.imagination };
    const episodes = this.episodes();
    this.lastImprovement = (yield* phaseEvents(iteration, 'improve', timings, agent.improve(context, episodes))) ?? this.lastImprovement;
    await clock.timed('improve', () => this.objective.afterImprove?.(this.world(iteration)));

    yield phase('evaluate', 0);
    this.enter('evaluate');
    const real = yield* phaseEvents(iteration, 'evaluate', timings, agent.playReal(episodes));
    const report = await clock.timed('evaluate', async () =>
      this.judge.report(
        {
          iteration,
          lastIteration: iteration >= this.iterations - 1,
          model,
          critic,
          buffer,
          real,
          sim: await agent.playInModel(model, episodes),
          objective: this.objective,
          world: this.world(iteration),
          fit: this.lastFit,
          improvement: this.lastImprovement,
        },
        config.evaluation.episodeLength,
      ),
    );
    requireFinite(
      [report.returns.real, report.returns.sim],
      'evaluate',
      'the real or simulated return',
      `the model's closed-loop prediction blows up over evaluation.episodeLength (${config.evaluation.episodeLength} steps): more real data, or a lower model.learningRate`,
    );
    // Only a state without NaN may become the one a divergence goes back to.
    await requireFiniteWeights(
      [...model.variables, ...policy.variables, ...critic.variables],
      'evaluate',
      "the model's, the policy's or the critic's weights",
      `a learner diverged without a non-finite loss (WASM's relu maps NaN to 0): lower model.learningRate (${config.model.learningRate}) or optimiser.learningRate (${config.optimiser.learningRate})`,
    );
    await this.saveLastGood();
    const seconds = { collect: timings.collect, fit: timings.fit, improve: timings.improve, evaluate: timings.evaluate };
    yield {
      kind: 'report',
      report: { ...report, seconds: round(secondsSince(started)), timings: mapValues(seconds, round) },
    };
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

function mapValues<K extends string>(values: Record<K, number>, f: (value: number) => number): Record<K, number> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, f(value as number)])) as Record<K, number>;
}
