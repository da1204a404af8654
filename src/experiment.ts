/**
 * The loop (DESIGN.md): collect → fit the model → improve the policy in imagination → evaluate →
 * report. An async generator: the consumer pulls events, so pausing is not pulling, stepping is
 * pulling up to the next report, and stopping is `return()` (the `finally` frees every tensor).
 *
 *   for iteration k:
 *     D ← D ∪ {N real transitions of π + exploration noise}            (collect)
 *     f̂ ← argmin_f objective(f; D)                                       (fit)
 *     π ← improve(π; imagined rollouts of f̂ from states in D), V ← TD(λ) (improve)
 *     J_real(π), J_sim(π; f̂), errors of f̂ where π, the oracle and a uniform box go (evaluate)
 */
import * as tf from '@tensorflow/tfjs';
import { fallBackFrom, isBackendName } from './backend';
import { nowMs, PhaseClock, secondsSince, type TimedPhase } from './clock';
import { unsupportedReason } from './config/consistency';
import { knobByKey, knobChanges, restartKnobs, type KnobChange } from './config/knobs';
import { assertWithinMemoryBudget } from './config/resourceEstimate';
import type { ExperimentConfig } from './config/schema';
import { collectTransitions, randomActor, type StepActor } from './data/collect';
import { ReplayBuffer } from './data/replayBuffer';
import { DivergenceError, requireFinite, requireFiniteWeights } from './divergence';
import { getEnv } from './envs/index';
import type { BatchedEnv, EnvDefinition, PhysicalParams } from './envs/types';
import { drawStartStates, evaluateReal, evaluateSim, type RealEvaluation } from './metrics/evaluation';
import { oneStepError } from './metrics/modelError';
import { openLoopPrediction } from './metrics/openLoopGhost';
import { criticErrors } from './metrics/simulationBound';
import { assembleReport } from './metrics/iterationReport';
import { round } from './metrics/stateGrid';
import type { TransitionRows } from './metrics/transitionRows';
import { uniformTransitions } from './metrics/uniformStates';
import type { FitResult } from './models/fit';
import { freeAbandonedTape } from './models/abandonedTape';
import { VariableCheckpoint } from './models/variableCheckpoint';
import { likelihoodObjective } from './models/objective';
import type { NormalizerStats } from './models/normalizer';
import { WorldModel } from './models/worldModel';
import { createObjective, type LearningObjective, type ObjectiveWorld } from './objectives/index';
import { Critic } from './policies/critic';
import { GradientImprover } from './policies/gradientImprover';
import type { ImaginationSettings, ImprovementResult, PolicyImprover } from './policies/improver';
import { JsPolicy } from './policies/jsPolicy';
import { fitCriticToRun, MpcController, type ClosedLoopRun } from './policies/mpcController';
import { oracleKey, runOracleFor, type OracleRequest, type OracleRun, type StartState } from './policies/oracle';
import { PolicyNetwork } from './policies/policyNetwork';
import { ReinforceImprover } from './policies/reinforceImprover';
import { type BackendFallbackEvent, type ExperimentEvent, type IterationReport, type Phase } from './report';
import { createRng, type Rng } from './rng';
import { liveConfigView } from './run/liveConfig';
import { CRITIC } from './policies/criticShape';

export { restartKnobs };

const UNIFORM_ROWS = 2048;
/** Long phases report their progress this many times. */
const PROGRESS_CHUNKS = 4;
const PRETRAIN_MAX_STEPS = 5_000;
/** The evaluation's own seed: start states, the random baseline and the oracle never vary. */
const EVALUATION_SEED = 20_261_122;

/** The start states every seed and config is judged from, so that their runs compare and share the oracle. */
function judgedStarts(definition: EnvDefinition, params: PhysicalParams, episodes: number): StartState[] {
  return drawStartStates(definition, params, episodes, createRng(EVALUATION_SEED).fork('starts'));
}

/** The oracle's run a config's evaluation compares with: one per world, whatever the seed. */
export function oracleRequestFor(config: ExperimentConfig): OracleRequest {
  const definition = getEnv(config.env.id);
  const params = { ...definition.spec.defaultParams, ...config.env.realParams };
  return {
    envId: config.env.id,
    params,
    starts: judgedStarts(definition, params, config.evaluation.episodes),
    episodeLength: config.evaluation.episodeLength,
    seed: EVALUATION_SEED,
  };
}

export interface Learners {
  readonly model: WorldModel;
  readonly policy: PolicyNetwork;
  readonly critic: Critic;
}

export interface ExperimentHooks {
  /** The oracle costs seconds; callers running many seeds on one world share it through this. */
  readonly oracleCache?: Map<string, OracleRun>;
  /**
   * Makes the oracle's run elsewhere (the app: in a worker of its own), so that no report waits
   * for it: reports carry the oracle from the first one made after it arrived. Without it the
   * run is made here, before the first iteration.
   */
  readonly oracle?: (request: OracleRequest) => Promise<OracleRun>;
  /** Called as each phase begins, with the learners: tests plant faults (a NaN weight) here. */
  readonly beforePhase?: (phase: Phase, learners: Learners) => void;
  /**
   * Backends that failed mid-run, with their error; a run adds the one it leaves and never goes
   * back to one listed. Runs sharing a thread (the worker's lanes) share it; else one per run.
   */
  readonly failedBackends?: Map<string, string>;
}

/**
 * The run as a stream of events. On a divergence (a NaN or Inf where a figure must be finite) the
 * learners go back to their state after the last good iteration and a `diverged` event names the
 * phase and the likely cause; the consumer pauses there. Its next `next(config)` resumes by
 * retrying the iteration, with the config changed (knobs that need no restart, see
 * `restartKnobs`) or, with `next()`, unchanged.
 *
 * A live change: `next(config)` after any other event of iteration k goes on with `config` from
 * iteration k + 1 (the last one given before then counts). Only live knobs may differ (the
 * registry, src/config/knobs.ts); the first report made with it lists what changed in `changes`,
 * as does the report of an iteration retried with changed knobs after a divergence. The lab
 * replays a results file's schedule the same way, so a run with live changes is reproducible.
 *
 * Any other error inside an iteration is taken for the backend's (a lost GPU device, a kernel
 * that throws): the run moves to the next backend that starts, rebuilds its learners there from
 * the last good iteration, says so in a `backendFallback` event and retries the iteration, without
 * pausing. Each backend is left at most once. An error that comes back on the new backend, the
 * same in the same iteration, is the code's and not a backend's: it ends the run.
 */
export async function* runExperiment(
  config: ExperimentConfig,
  hooks: ExperimentHooks = {},
): AsyncGenerator<ExperimentEvent, void, ExperimentConfig | undefined> {
  const experiment = new Experiment(config, hooks);
  const failedBackends = hooks.failedBackends ?? new Map<string, string>();
  try {
    await experiment.saveLastGood();
    let iteration = 0;
    let lastFallback: { iteration: number; message: string; failed: string } | null = null;
    /** A live change given during iteration `after`, for the next iteration's start. */
    let pending = null as { config: ExperimentConfig; after: number } | null;
    /** Knob changes this iteration runs with, for its report. */
    let changes: KnobChange[] = [];
    const given = (config: ExperimentConfig | undefined) => {
      if (config !== undefined) pending = { config, after: iteration };
    };
    while (iteration < experiment.iterations) {
      if (pending !== null && iteration > pending.after) {
        changes = [...changes, ...experiment.applyLive(pending.config)];
        pending = null;
        // Fewer iterations than already run: the run ends here.
        if (iteration >= experiment.iterations) break;
      }
      try {
        // Another run in this thread left a failed backend: follow it before touching a tensor.
        if (experiment.backend !== tf.getBackend()) given(yield await experiment.follow(iteration));
        const events = experiment.iterate(iteration);
        try {
          for (let step = await events.next(); step.done !== true; step = await events.next()) {
            let event = step.value;
            if (event.kind === 'report' && changes.length > 0) {
              event = { ...event, report: { ...event.report, changes } };
              changes = [];
            }
            given(yield event);
          }
        } finally {
          await events.return(undefined);
        }
        iteration++;
      } catch (error) {
        if (error instanceof DivergenceError) {
          experiment.restoreLastGood();
          const { phase, figure, likelyCause, message } = error;
          const changed = yield { kind: 'diverged', iteration, phase, figure, likelyCause, message };
          changes = [...changes, ...experiment.rebuild(changed ?? experiment.currentConfig)];
          continue;
        }
        const message = errorMessage(error);
        if (lastFallback !== null && lastFallback.iteration === iteration && lastFallback.message === message) {
          throw new Error(
            `${message} (it happened again on ${experiment.backend} after ${lastFallback.failed} failed with it: not a backend fault)`,
            { cause: error },
          );
        }
        const event = await experiment.fallBack(iteration, message, failedBackends, error);
        lastFallback = { iteration, message, failed: event.failed };
        given(yield event);
      }
    }
  } finally {
    experiment.dispose();
  }
}

class Experiment {
  private readonly definition: EnvDefinition;
  private readonly realParams: PhysicalParams;
  private readonly root: Rng;
  private readonly rng: Record<'collect' | 'reset' | 'imagination', Rng>;
  private readonly realEnv: BatchedEnv;
  private readonly buffer: ReplayBuffer;
  // The learners are rebuilt, on another backend, if theirs fails mid-run.
  private model: WorldModel;
  private policy: PolicyNetwork;
  private critic: Critic;
  /** Gradient and REINFORCE improve the policy network; CEM-MPC plans instead (`mpc`). */
  private improver: PolicyImprover | null;
  private mpc: MpcController | null;
  /** The backend the learners' tensors live on. */
  private learnersBackend: string;
  /** How many times the learners were rebuilt on another backend (names their fresh RNG streams). */
  private moves = 0;
  /** The phase under way, for an error that is not a divergence (which names its own). */
  private phaseNow: Phase | null = null;
  private readonly evaluationStarts: StartState[];
  private readonly uniform: TransitionRows;
  /** Null until the oracle's run arrives (see ExperimentHooks.oracle). */
  private oracle: OracleRun | null = null;
  /** Settles when the oracle's run made elsewhere arrives or fails; null when made here. */
  private oracleArriving: Promise<void> | null = null;
  private readonly randomReturn: number;
  private objective: LearningObjective;
  private readonly inputMoments: { mean: Float32Array; scale: Float32Array };
  /** The learners after the last good iteration (or at the start), for a divergence to go back to. */
  private readonly lastGood: VariableCheckpoint;
  private lastGoodStats: NormalizerStats;
  private lastFit: FitResult | null = null;
  private lastImprovement: ImprovementResult | null = null;
  /** CEM-MPC: this iteration's closed-loop run of the planner inside the model (the sim evaluation). */
  private imagined: ClosedLoopRun | null = null;

  constructor(
    private config: ExperimentConfig,
    private readonly hooks: ExperimentHooks,
  ) {
    checkSupported(config);
    const root = createRng(config.seed);
    this.root = root;
    this.rng = { collect: root.fork('collect'), reset: root.fork('reset'), imagination: root.fork('imagination') };
    this.definition = getEnv(config.env.id);
    const spec = this.definition.spec;
    this.realParams = { ...spec.defaultParams, ...config.env.realParams };
    this.realEnv = this.definition.createBatch(1, this.realParams);
    this.realEnv.reset(this.rng.reset);
    const d = spec.observationNames.length;
    this.buffer = new ReplayBuffer({
      capacity: config.data.bufferSize,
      observationDim: d,
      actionDim: 1,
      holdoutFraction: config.data.holdoutFraction,
      splitSeed: root.fork('split').seed32(),
    });
    this.uniform = uniformTransitions(spec.id, this.realParams, UNIFORM_ROWS, root.fork('uniform'));
    // The networks' inputs are scaled once, by the uniform box, so their meaning never drifts.
    this.inputMoments = columnMoments(this.uniform.observations, d);
    ({ model: this.model, policy: this.policy, critic: this.critic, mpc: this.mpc } = this.createLearners((name) => root.fork(name)));
    this.learnersBackend = tf.getBackend();
    this.improver = config.optimiser.kind === 'cem' ? null : createImprover(config);
    this.objective = this.createObjective();
    // Judged from the same fixed start states whatever the seed, so seeds and objectives are
    // compared on equal terms and the oracle's run is shared between them.
    this.evaluationStarts = judgedStarts(this.definition, this.realParams, config.evaluation.episodes);
    const randomRng = createRng(EVALUATION_SEED).fork('random-policy');
    const randomActs = randomActor(this.realEnv, randomRng);
    this.randomReturn = evaluateReal(spec.id, this.realParams, this.evaluationStarts, config.evaluation.episodeLength, randomActs).meanReturn;
    this.requestOracle(hooks);
    collectTransitions(this.realEnv, this.buffer, config.data.initialRandomSteps, randomActor(this.realEnv, this.rng.collect), this.rng.reset);
    this.lastGood = new VariableCheckpoint(() => [...this.model.variables, ...this.policy.variables, ...this.critic.variables]);
    this.lastGoodStats = this.model.stats;
  }

  /** The networks, and CEM's planner over the model, on the backend in use; `rng` names streams. */
  private createLearners(rng: (name: string) => Rng): Learners & { mpc: MpcController | null } {
    const { config, definition } = this;
    const spec = definition.spec;
    const d = spec.observationNames.length;
    const { mean, scale } = this.inputMoments;
    const m = config.model;
    const model = new WorldModel(
      spec,
      { members: m.ensembleSize, hiddenLayers: m.depth, hiddenUnits: m.width, activation: m.activation, likelihood: m.likelihood },
      rng('model'),
      this.realParams,
    );
    const o = config.optimiser;
    const policy = new PolicyNetwork(
      { observationDim: d, actionSpace: spec.actionSpace, width: o.policyWidth, depth: o.policyDepth, inputMean: mean, inputScale: scale },
      rng('policy'),
    );
    const critic = new Critic(
      { observationDim: d, width: CRITIC.width, depth: CRITIC.depth, inputMean: mean, inputScale: scale },
      CRITIC.learningRate,
      rng('critic'),
    );
    const mpc =
      o.kind === 'cem'
        ? new MpcController(
            model,
            {
              population: o.cemPopulation,
              elites: o.cemElites,
              iterations: o.cemIterations,
              horizon: o.cemHorizon,
              smoothing: o.cemSmoothing,
              member: 'random',
              reward: config.reward.kind,
            },
            rng('mpc'),
          )
        : null;
    return { model, policy, critic, mpc };
  }

  /** The backend the learners live on (tf.getBackend() unless it changed since). */
  get backend(): string {
    return this.learnersBackend;
  }

  /** Keeps the learners as they are now (host memory) for a divergence or a failed backend. */
  async saveLastGood(): Promise<void> {
    await this.lastGood.take();
    this.lastGoodStats = this.model.stats;
  }

  /**
   * The backend failed with `message` while running `iteration`: records it in `failed`, switches
   * to the next backend that starts and rebuilds the learners there from the last good iteration.
   * Throws the error, saying so, when no backend is left.
   */
  async fallBack(iteration: number, message: string, failed: Map<string, string>, cause: unknown): Promise<BackendFallbackEvent> {
    freeAbandonedTape();
    const phase = this.phaseNow;
    const from = this.learnersBackend;
    if (tf.getBackend() !== from) {
      // Another run on this thread already left it: go where it went.
      return { ...(await this.follow(iteration)), phase, message };
    }
    failed.set(from, message);
    const next = isBackendName(from) ? await fallBackFrom(from, failed) : { backend: null, failures: {} };
    if (next.backend === null) {
      const others = Object.entries(next.failures).map(([name, why]) => `${name}: ${why}`).join('; ');
      throw new Error(`${message} (the ${from} backend failed mid-run and no other backend could take over${others === '' ? '' : `: ${others}`})`, { cause });
    }
    this.moveToCurrentBackend();
    return { kind: 'backendFallback', iteration, phase, failed: from, backend: next.backend, message };
  }

  /** The engine moved to another backend for another run's failure: the learners follow it. */
  async follow(iteration: number): Promise<BackendFallbackEvent> {
    const from = this.learnersBackend;
    this.moveToCurrentBackend();
    return {
      kind: 'backendFallback',
      iteration,
      phase: null,
      failed: from,
      backend: tf.getBackend(),
      message: 'another run on this engine found it failing',
    };
  }

  /**
   * Rebuilds the learners on the backend in use from the last good iteration (kept in host memory:
   * a failed backend may not give its tensors back). Objective and improver start afresh, as after
   * a divergence.
   */
  private moveToCurrentBackend(): void {
    const old = [this.model, this.policy, this.critic, this.improver, this.objective];
    // Freed if the failed backend still can; what it cannot free is lost with it.
    for (const owner of old) {
      try {
        owner?.dispose?.();
      } catch {
        // Nothing to do: the tensors were on the failed backend.
      }
    }
    this.moves++;
    const fresh = this.createLearners((name) => this.root.fork(name).fork(`backend-move-${this.moves}`));
    ({ model: this.model, policy: this.policy, critic: this.critic, mpc: this.mpc } = fresh);
    this.learnersBackend = tf.getBackend();
    this.lastGood.restore();
    this.model.restoreStatistics(this.lastGoodStats);
    this.improver = this.config.optimiser.kind === 'cem' ? null : createImprover(this.config);
    this.objective = this.createObjective();
  }

  get iterations(): number {
    return this.config.iterations;
  }

  get currentConfig(): ExperimentConfig {
    return this.config;
  }

  /** Back to the learners after the last good iteration; optimiser moments are forgotten. */
  restoreLastGood(): void {
    this.lastGood.restore();
    this.model.restoreStatistics(this.lastGoodStats);
    this.model.resetOptimizer();
    this.critic.resetOptimizer();
  }

  /** Resumes with `next` (after a divergence): fresh optimiser and objective, the learners kept. */
  rebuild(next: ExperimentConfig): KnobChange[] {
    const refused = restartKnobs(this.config, next);
    if (refused.length > 0) throw new Error(`these settings need a new run, not a resume: ${refused.join(', ')}`);
    checkSupported(next);
    const changes = knobChanges(this.config, next);
    this.config = next;
    this.improver?.dispose();
    this.improver = next.optimiser.kind === 'cem' ? null : createImprover(next);
    this.objective.dispose?.();
    this.objective = this.createObjective();
    return changes;
  }

  /**
   * Goes on with `next` (live knobs changed) from the iteration about to start, the learners and
   * their optimisers kept. The improver copies its learning rate when built, so a new rate builds
   * it again (fresh Adam moments); the objective reads the config through a live view and is
   * built again only when a knob it read while being built changed.
   */
  applyLive(next: ExperimentConfig): KnobChange[] {
    const refused = restartKnobs(this.config, next);
    if (refused.length > 0) throw new Error(`these settings need a new run, not a live change: ${refused.join(', ')}`);
    checkSupported(next);
    const changes = knobChanges(this.config, next);
    const previous = this.config;
    this.config = next;
    if (this.improver !== null && next.optimiser.learningRate !== previous.optimiser.learningRate) {
      this.improver.dispose();
      this.improver = createImprover(next);
    }
    if (changes.some((change) => this.objectiveBuiltFrom.has(knobByKey(change.key)?.path ?? ''))) {
      this.objective.dispose?.();
      this.objective = this.createObjective();
    }
    return changes;
  }

  private learners(): Learners {
    return { model: this.model, policy: this.policy, critic: this.critic };
  }

  /** Marks the phase under way and lets a test plant its fault. */
  private enter(phase: Phase): void {
    this.phaseNow = phase;
    this.hooks.beforePhase?.(phase, this.learners());
  }

  /** The config paths the objective read while it was built (it may have copied their values). */
  private objectiveBuiltFrom = new Set<string>();

  private createObjective(): LearningObjective {
    const { definition } = this;
    const { mean, scale } = this.inputMoments;
    const builtFrom = new Set<string>();
    let building = true;
    const config = liveConfigView(
      () => this.config,
      (path) => building && builtFrom.add(path),
    );
    try {
      return createObjective({ config, definition, inputMean: mean, inputScale: scale, rng: createRng(this.config.seed).fork('objective') });
    } finally {
      building = false;
      this.objectiveBuiltFrom = builtFrom;
    }
  }

  async *iterate(iteration: number): AsyncGenerator<ExperimentEvent, void, unknown> {
    const started = nowMs();
    const clock = new PhaseClock();
    const timings = clock.seconds;
    const phase = (name: Phase, progress: number): ExperimentEvent => ({ kind: 'phase', iteration, phase: name, progress });
    this.phaseNow = null;
    if (iteration === 0 && this.config.model.pretrainTransitions > 0) {
      this.phaseNow = 'fit';
      yield phase('fit', 0);
      await clock.timed('fit', () => this.pretrainOnNominalSimulator());
    }

    yield phase('collect', 0);
    const noise = this.config.data.explorationNoise;
    const budget = this.config.data.realStepsPerIteration;
    this.enter('collect');
    const share = await clock.timed('collect', () => this.objective.behaviour?.(this.world(iteration), budget) ?? null);
    const policySteps = budget - (share?.steps ?? 0);
    const mpc = this.mpc;
    if (mpc === null) {
      await clock.timed('collect', async () => {
        const actor = new JsPolicy(await this.policy.snapshot());
        const act = finiteActions((o) => actor.act(o, noise, this.rng.collect), "the policy's action", 'the policy network diverged: lower optimiser.learningRate');
        collectTransitions(this.realEnv, this.buffer, policySteps, act, this.rng.reset);
      });
    } else {
      yield* inPhase(iteration, 'collect', timings, mpc.collect(this.realEnv, this.buffer, policySteps, noise, this.rng.collect, this.rng.reset));
    }
    if (share !== null) {
      await clock.timed('collect', () => {
        const act = finiteActions(share.act, "the adversary's action", 'the adversary diverged: lower optimiser.learningRate');
        collectTransitions(this.realEnv, this.buffer, share.steps, act, this.rng.reset);
      });
    }

    const m = this.config.model;
    this.enter('fit');
    const modelLoss = await clock.timed('fit', async () => {
      this.objective.beforeFit?.(this.world(iteration));
      return (await this.objective.modelLoss?.(this.world(iteration))) ?? likelihoodObjective;
    });
    for (const [chunk, steps] of splitSteps(m.trainStepsPerIteration).entries()) {
      yield phase('fit', chunk / PROGRESS_CHUNKS);
      this.lastFit = await clock.timed('fit', () =>
        this.model.fit(this.buffer, steps, { batchSize: m.batchSize, learningRate: m.learningRate, weightDecay: m.weightDecay, objective: modelLoss }),
      );
      const cause = `model.learningRate (${m.learningRate}) too high${m.likelihood === 'gaussian' ? ", or the Gaussian likelihood's variance collapsing" : ''}`;
      requireFinite(this.lastFit.trainLoss, 'fit', "the model's training loss", cause);
      await requireFiniteWeights(this.model.variables, 'fit', "the model's weights", cause);
    }
    await clock.timed('fit', () => this.objective.adaptModel?.(this.world(iteration)));

    this.enter('improve');
    if (this.mpc !== null) {
      yield phase('improve', 0);
      yield* this.imagineWithPlanner(iteration, this.mpc, clock);
    }
    const improver = this.improver;
    for (const [chunk, steps] of splitSteps(this.config.optimiser.stepsPerIteration).entries()) {
      if (improver === null) break;
      yield phase('improve', chunk / PROGRESS_CHUNKS);
      this.lastImprovement = await clock.timed('improve', () =>
        improver.improve(
          { model: this.model, policy: this.policy, critic: this.critic, buffer: this.buffer, settings: this.imagination(), rng: this.rng.imagination },
          steps,
        ),
      );
      const { policyLoss, criticLoss, imaginedReturn } = this.lastImprovement;
      const cause = `optimiser.learningRate (${this.config.optimiser.learningRate}) too high, or imagined rollouts blowing up over imagination.horizon (${this.config.imagination.horizon} steps)`;
      requireFinite([policyLoss, criticLoss, imaginedReturn], 'improve', "the policy's imagined return or its losses", cause);
      await requireFiniteWeights([...this.policy.variables, ...this.critic.variables], 'improve', "the policy's or the critic's weights", cause);
    }
    await clock.timed('improve', () => this.objective.afterImprove?.(this.world(iteration)));

    yield phase('evaluate', 0);
    this.enter('evaluate');
    const { config, realParams, evaluationStarts } = this;
    const mpcReal =
      this.mpc === null
        ? null
        : yield* inPhase(iteration, 'evaluate', timings, this.mpc.evaluateReal(config.env.id, realParams, evaluationStarts, config.evaluation.episodeLength));
    const report = await clock.timed('evaluate', () => this.evaluate(iteration, mpcReal));
    requireFinite(
      [report.returns.real, report.returns.sim],
      'evaluate',
      'the real or simulated return',
      `the model's closed-loop prediction blows up over evaluation.episodeLength (${config.evaluation.episodeLength} steps): more real data, or a lower model.learningRate`,
    );
    // Only a state without NaN may become the one a divergence goes back to.
    await requireFiniteWeights(
      [...this.model.variables, ...this.policy.variables, ...this.critic.variables],
      'evaluate',
      "the model's, the policy's or the critic's weights",
      `a learner diverged without a non-finite loss (WASM's relu maps NaN to 0): lower model.learningRate (${config.model.learningRate}) or optimiser.learningRate (${config.optimiser.learningRate})`,
    );
    await this.saveLastGood();
    yield {
      kind: 'report',
      report: {
        ...report,
        seconds: round(secondsSince(started)),
        timings: {
          collect: round(timings.collect),
          fit: round(timings.fit),
          improve: round(timings.improve),
          evaluate: round(timings.evaluate),
        },
      },
    };
  }

  /**
   * Sim-to-real: before any real data, the model learns the nominal simulator (the env with its
   * default physics) from random transitions; the loop then fine-tunes it on the real world's.
   */
  private async pretrainOnNominalSimulator(): Promise<void> {
    const { config, definition } = this;
    const count = config.model.pretrainTransitions;
    const nominal = definition.createBatch(1, definition.spec.defaultParams);
    const rng = createRng(config.seed).fork('pretrain');
    nominal.reset(rng);
    const buffer = new ReplayBuffer({
      capacity: count,
      observationDim: definition.spec.observationNames.length,
      actionDim: 1,
      holdoutFraction: config.data.holdoutFraction,
      splitSeed: rng.seed32(),
    });
    collectTransitions(nominal, buffer, count, randomActor(nominal, rng), rng);
    // About five passes over the simulator's data, within the fit-step ceiling of one iteration.
    const steps = Math.min(PRETRAIN_MAX_STEPS, Math.ceil((5 * count) / config.model.batchSize));
    this.lastFit = await this.model.fit(buffer, steps, {
      batchSize: config.model.batchSize,
      learningRate: config.model.learningRate,
      weightDecay: config.model.weightDecay,
    });
  }

  /**
   * CEM-MPC has no network to improve: the planner is rebuilt from the model at every step. Its
   * improve phase runs the planner closed-loop inside the freshly fitted model from the evaluation
   * starts (this is the sim evaluation, kept for the report) and fits the critic to those imagined
   * episodes by TD(λ), so the bound weighs model errors by the value of the controller itself.
   * The imagined return reported is what the planner expected over its horizon, averaged over its
   * decisions (undiscounted, as CEM scores sequences); the policy loss is its negative.
   */
  private async *imagineWithPlanner(
    iteration: number,
    mpc: MpcController,
    clock: PhaseClock,
  ): AsyncGenerator<ExperimentEvent, void, unknown> {
    const { config } = this;
    this.imagined = null;
    const run = yield* inPhase(iteration, 'improve', clock.seconds, mpc.evaluateSim(this.evaluationObservations(), config.evaluation.episodeLength));
    const steps = config.optimiser.stepsPerIteration;
    const criticLoss = await clock.timed('improve', () => fitCriticToRun(this.critic, run, steps, config.optimiser.discount, config.optimiser.lambda));
    this.imagined = run;
    this.lastImprovement = { steps, policyLoss: -run.expectedReturn, criticLoss, imaginedReturn: run.expectedReturn };
  }

  dispose(): void {
    this.lastGood.dispose();
    this.objective.dispose?.();
    this.model.dispose();
    this.policy.dispose();
    this.critic.dispose();
    this.improver?.dispose();
  }

  /** The evaluation start states as the model sees them: [K × d] row-major. */
  private evaluationObservations(): Float32Array {
    return Float32Array.from(this.evaluationStarts.flatMap((start) => this.definition.observe(start.state, this.realParams)));
  }

  private world(iteration: number): ObjectiveWorld {
    const { definition, realParams, realEnv, model, policy, critic, buffer } = this;
    return { definition, realParams, realEnv, model, policy, critic, buffer, imagination: this.imagination(), iteration };
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

  /** The oracle's run: from the cache, made by the hooks' oracle (arriving later), or made here. */
  private requestOracle(hooks: ExperimentHooks): void {
    const request = oracleRequestFor(this.config);
    const key = oracleKey(request);
    const cache = hooks.oracleCache;
    const cached = cache?.get(key);
    if (cached !== undefined) {
      this.oracle = cached;
    } else if (hooks.oracle !== undefined) {
      this.oracleArriving = hooks.oracle(request).then(
        (run) => {
          cache?.set(key, run);
          this.oracle = run;
        },
        // No oracle line rather than no run: its reports keep oracle null.
        () => undefined,
      );
    } else {
      this.oracle = runOracleFor(request);
      cache?.set(key, this.oracle);
    }
  }

  /** `mpcReal`: CEM-MPC's real evaluation, run beforehand with progress; its sim run is `imagined`. */
  private async evaluate(iteration: number, mpcReal: RealEvaluation | null): Promise<IterationReport> {
    const { config, definition } = this;
    const spec = definition.spec;
    const episodeLength = config.evaluation.episodeLength;
    let real = mpcReal;
    if (real === null) {
      const actor = new JsPolicy(await this.policy.snapshot());
      const act = finiteActions((o) => actor.act(o), "the policy's action", "the policy's weights gave a non-finite action", 'evaluate');
      real = evaluateReal(spec.id, this.realParams, this.evaluationStarts, episodeLength, act);
    }
    // A run's last report waits for the oracle, so that no finished run lacks its line (a short
    // run can end before the oracle's worker does).
    if (this.oracle === null && this.oracleArriving !== null && iteration >= this.iterations - 1) await this.oracleArriving;
    const startObservations = this.evaluationObservations();
    const sim = this.imagined ?? (await evaluateSim(this.model, startObservations, episodeLength, this.policy, config.reward.kind));
    const uniformError = await oneStepError(this.model, this.uniform);
    const onPolicyError = await oneStepError(this.model, real.transitions);
    const strategicError = this.oracle === null ? null : await oneStepError(this.model, this.oracle.transitions);
    const criticError = await criticErrors(this.model, this.critic, real.transitions);
    const objective = (await this.objective.figures?.(this.world(iteration), this.evaluationStarts, episodeLength)) ?? null;
    const ghost = await openLoopPrediction(this.model, startObservations.subarray(0, spec.observationNames.length), real.firstEpisodeActions);
    return assembleReport({
      iteration,
      realSteps: this.buffer.totalAdded,
      backend: tf.getBackend(),
      spec,
      real,
      sim,
      oracleReturn: this.oracle === null ? null : this.oracle.meanReturn,
      randomReturn: this.randomReturn,
      uniform: this.uniform,
      uniformError,
      onPolicyError,
      strategicError,
      criticError,
      evaluationEpisodes: this.evaluationStarts.length,
      objective,
      ghost,
      fit: this.lastFit,
      improvement: this.lastImprovement,
    });
  }
}

/** Refuses, up front and by name, what the loop cannot run yet, instead of ignoring a knob. */
function checkSupported(config: ExperimentConfig): void {
  // Before any tensor: a run too large for the tab would crash it rather than fail.
  assertWithinMemoryBudget(config);
  const unsupported = unsupportedReason(config);
  if (unsupported !== null) throw new Error(unsupported);
}

function createImprover(config: ExperimentConfig): PolicyImprover {
  switch (config.optimiser.kind) {
    case 'gradient':
      return new GradientImprover(config.optimiser.learningRate);
    case 'reinforce':
      return new ReinforceImprover(config.optimiser.learningRate);
    case 'cem':
      throw new Error('optimiser "cem" plans with MpcController instead of improving a policy network');
  }
}

/**
 * Runs a long job of the phase (CEM-MPC steps one at a time), announcing its progress each time
 * it enters a new 1/PROGRESS_CHUNKS, and timing the work only (not the consumer's pauses).
 */
async function* inPhase<T>(
  iteration: number,
  phase: Phase,
  timings: Record<TimedPhase, number>,
  work: AsyncGenerator<number, T, undefined>,
): AsyncGenerator<ExperimentEvent, T, unknown> {
  let announced = 0;
  for (;;) {
    const mark = nowMs();
    const next = await work.next();
    timings[phase] += secondsSince(mark);
    if (next.done === true) return next.value;
    const progress = Math.floor(next.value * PROGRESS_CHUNKS) / PROGRESS_CHUNKS;
    if (progress > announced) {
      announced = progress;
      yield { kind: 'phase', iteration, phase, progress };
    }
  }
}

/** The actor, refusing a non-finite action before the env sees it. */
function finiteActions(act: StepActor, figure: string, likelyCause: string, phase: Phase = 'collect'): StepActor {
  return (observation) => {
    const action = act(observation);
    requireFinite(action, phase, figure, likelyCause);
    return action;
  };
}

/** Splits a phase's steps into at most PROGRESS_CHUNKS near-equal parts (none when steps = 0). */
function splitSteps(steps: number): number[] {
  if (steps <= 0) return [];
  const parts = Math.min(PROGRESS_CHUNKS, steps);
  return Array.from({ length: parts }, (_, i) => Math.floor(((i + 1) * steps) / parts) - Math.floor((i * steps) / parts));
}

function columnMoments(rows: Float32Array, dim: number): { mean: Float32Array; scale: Float32Array } {
  const count = rows.length / dim;
  const mean = new Float32Array(dim);
  const scale = new Float32Array(dim);
  for (let k = 0; k < dim; k++) {
    let sum = 0;
    for (let i = 0; i < count; i++) sum += rows[i * dim + k];
    mean[k] = sum / count;
    let squares = 0;
    for (let i = 0; i < count; i++) squares += (rows[i * dim + k] - mean[k]) ** 2;
    scale[k] = Math.max(Math.sqrt(squares / count), 1e-6);
  }
  return { mean, scale };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}
