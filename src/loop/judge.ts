/**
 * What every iteration is judged against, fixed for the run: the evaluation's start states (the
 * same for every seed and config, so runs compare and share the oracle), the uniform box of
 * transitions, the random policy's return and the oracle's run; and the judging itself, the
 * iteration's report from the agent's real and simulated episodes.
 */
import * as tf from '@tensorflow/tfjs';
import type { ExperimentConfig } from '../config/schema';
import { randomActor } from '../data/collect';
import type { ReplayBuffer } from '../data/replayBuffer';
import { getEnv } from '../envs/index';
import type { BatchedEnv, EnvDefinition, PhysicalParams } from '../envs/types';
import {
  drawStartStates,
  evaluateReal,
  type RealEvaluation,
  type SimEvaluation,
} from '../metrics/evaluation';
import { assembleReport } from '../metrics/iterationReport';
import { oneStepError } from '../metrics/modelError';
import { openLoopPrediction } from '../metrics/openLoopGhost';
import { criticErrors } from '../metrics/simulationBound';
import type { TransitionRows } from '../metrics/transitionRows';
import { uniformTransitions } from '../metrics/uniformStates';
import type { FitResult } from '../models/fit';
import type { WorldModel } from '../models/worldModel';
import type { LearningObjective, ObjectiveWorld } from '../objectives/index';
import type { Critic } from '../policies/critic';
import type { ImprovementResult } from '../policies/improver';
import {
  oracleKey,
  runOracleFor,
  type OracleRequest,
  type OracleRun,
  type StartState,
} from '../policies/oracle';
import type { IterationReport } from '../report';
import { createRng, type Rng } from '../rng';

const UNIFORM_ROWS = 2048;
/** The evaluation's own seed: start states, the random baseline and the oracle never vary. */
const EVALUATION_SEED = 20_261_122;

export interface OracleHooks {
  /** The oracle costs seconds; callers running many seeds on one world share it through this. */
  readonly oracleCache?: Map<string, OracleRun>;
  /**
   * Makes the oracle's run elsewhere (the app: in a worker of its own), so that no report waits
   * for it: reports carry the oracle from the first one made after it arrived. Without it the
   * run is made here, before the first iteration.
   */
  readonly oracle?: (request: OracleRequest) => Promise<OracleRun>;
}

/** The start states every seed and config is judged from, so that their runs compare and share the oracle. */
function judgedStarts(
  definition: EnvDefinition,
  params: PhysicalParams,
  episodes: number,
): StartState[] {
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

/** What the learners made this iteration, for the report. */
export interface Judged {
  readonly iteration: number;
  readonly lastIteration: boolean;
  readonly model: WorldModel;
  readonly critic: Critic;
  readonly buffer: ReplayBuffer;
  readonly real: RealEvaluation;
  readonly sim: SimEvaluation;
  readonly objective: LearningObjective;
  readonly world: ObjectiveWorld;
  readonly fit: FitResult | null;
  readonly improvement: ImprovementResult | null;
}

export class Judge {
  readonly starts: StartState[];
  readonly uniform: TransitionRows;
  readonly randomReturn: number;
  /** Null until the oracle's run arrives (see OracleHooks.oracle). */
  private oracle: OracleRun | null = null;
  /** Settles when the oracle's run made elsewhere arrives or fails; null when made here. */
  private oracleArriving: Promise<void> | null = null;

  constructor(
    private readonly config: ExperimentConfig,
    private readonly definition: EnvDefinition,
    private readonly realParams: PhysicalParams,
    realEnv: BatchedEnv,
    root: Rng,
    hooks: OracleHooks,
  ) {
    this.uniform = uniformTransitions(
      definition.spec.id,
      realParams,
      UNIFORM_ROWS,
      root.fork('uniform'),
    );
    this.starts = judgedStarts(definition, realParams, config.evaluation.episodes);
    const randomActs = randomActor(realEnv, createRng(EVALUATION_SEED).fork('random-policy'));
    this.randomReturn = evaluateReal(
      definition.spec.id,
      realParams,
      this.starts,
      config.evaluation.episodeLength,
      randomActs,
    ).meanReturn;
    this.requestOracle(hooks);
  }

  /** The evaluation start states as the model sees them: [K × d] row-major. */
  startObservations(): Float32Array {
    return Float32Array.from(
      this.starts.flatMap((start) => this.definition.observe(start.state, this.realParams)),
    );
  }

  /** The iteration's report: the returns, the model's errors where each policy goes, the objective's figures. */
  async report(judged: Judged, episodeLength: number): Promise<IterationReport> {
    const { model, real, sim } = judged;
    const spec = this.definition.spec;
    // A run's last report waits for the oracle, so that no finished run lacks its line (a short
    // run can end before the oracle's worker does).
    if (this.oracle === null && this.oracleArriving !== null && judged.lastIteration)
      await this.oracleArriving;
    const uniformError = await oneStepError(model, this.uniform);
    const onPolicyError = await oneStepError(model, real.transitions);
    const strategicError =
      this.oracle === null ? null : await oneStepError(model, this.oracle.transitions);
    const criticError = await criticErrors(model, judged.critic, real.transitions);
    const objective =
      (await judged.objective.figures?.(judged.world, this.starts, episodeLength)) ?? null;
    const ghost = await openLoopPrediction(
      model,
      this.startObservations().subarray(0, spec.observationNames.length),
      real.firstEpisodeActions,
    );
    return assembleReport({
      iteration: judged.iteration,
      realSteps: judged.buffer.totalAdded,
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
      evaluationEpisodes: this.starts.length,
      objective,
      ghost,
      fit: judged.fit,
      improvement: judged.improvement,
    });
  }

  /** The oracle's run: from the cache, made by the hooks' oracle (arriving later), or made here. */
  private requestOracle(hooks: OracleHooks): void {
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
}
