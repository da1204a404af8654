/**
 * One iteration's report assembled from what the evaluation measured: the returns and the gap,
 * the bound, the model's errors where the uniform box, the policy, the oracle and the adversary
 * go, the learners' losses, the state-space grid and paths, and the first episode's frames with
 * the model's open-loop ghost. Plain arithmetic on measured values, rounded for the wire: the loop
 * measures (experiment.ts), this lays out.
 */
import type { EnvSpec } from '../envs/types';
import type { FitResult } from '../models/fit';
import type { ObjectiveFigures } from '../objectives/learningObjective';
import type { ImprovementResult } from '../policies/improver';
import { adversaryFigures, type IterationReport } from '../report';
import type { RealEvaluation, SimEvaluation } from './evaluation';
import type { ModelErrorResult } from './modelError';
import { simulationBound } from './simulationBound';
import { meanPerCell, projectPath, round, visitCounts } from './stateGrid';
import type { TransitionRows } from './transitionRows';

const GRID_SIZE = 16;
const TRAJECTORY_POINTS = 100;
const EPISODE_FRAMES = 200;

export interface MeasuredIteration {
  readonly iteration: number;
  readonly realSteps: number;
  readonly backend: string;
  readonly spec: EnvSpec;
  readonly real: RealEvaluation;
  readonly sim: SimEvaluation;
  /** Null until the oracle's run has arrived. */
  readonly oracleReturn: number | null;
  readonly randomReturn: number;
  /** The uniform box's rows and the model's error on each. */
  readonly uniform: TransitionRows;
  readonly uniformError: ModelErrorResult;
  readonly onPolicyError: ModelErrorResult;
  readonly strategicError: ModelErrorResult | null;
  /** The critic's error per real row, and over how many evaluation episodes the rows came. */
  readonly criticError: Float32Array;
  readonly evaluationEpisodes: number;
  readonly objective: ObjectiveFigures | null;
  /** The model's open-loop prediction along the first real episode's actions. */
  readonly ghost: number[][];
  readonly fit: FitResult | null;
  readonly improvement: ImprovementResult | null;
}

/** The report, its `seconds` and `timings` left at 0 for the loop, which times the whole iteration. */
export function assembleReport(measured: MeasuredIteration): IterationReport {
  const { real, sim, spec, fit, improvement, uniformError } = measured;
  const d = spec.observationNames.length;
  const projection = spec.projection;
  const objective = measured.objective ?? { report: null, adversaryTrajectory: [] };
  return {
    iteration: measured.iteration,
    realSteps: measured.realSteps,
    backend: measured.backend,
    seconds: 0,
    timings: { collect: 0, fit: 0, improve: 0, evaluate: 0 },
    returns: {
      real: round(real.meanReturn),
      sim: round(sim.meanReturn),
      oracle: measured.oracleReturn === null ? null : round(measured.oracleReturn),
      random: round(measured.randomReturn),
    },
    // From the rounded returns, so that a reader's sim − real is the reported gap.
    gap: round(round(sim.meanReturn) - round(real.meanReturn)),
    bound: round(simulationBound(measured.criticError, measured.evaluationEpisodes)),
    modelError: {
      uniform: round(uniformError.mean),
      onPolicy: round(measured.onPolicyError.mean),
      strategic: measured.strategicError === null ? null : round(measured.strategicError.mean),
      adversarial: finiteOrNull(adversaryFigures(objective.report)?.realModelError ?? NaN),
    },
    losses: {
      modelTrain: fit === null ? null : finiteOrNull(average(fit.trainMse)),
      modelHoldout: fit === null || fit.holdoutRows === 0 ? null : round(average(fit.holdoutMse)),
      policy: improvement === null ? null : finiteOrNull(improvement.policyLoss),
      critic: improvement === null ? null : finiteOrNull(improvement.criticLoss),
    },
    imaginedReturn: improvement === null ? null : finiteOrNull(improvement.imaginedReturn),
    grid: {
      size: GRID_SIZE,
      xLabel: projection.xLabel,
      yLabel: projection.yLabel,
      xRange: [projection.xRange[0], projection.xRange[1]],
      yRange: [projection.yRange[0], projection.yRange[1]],
      error: meanPerCell(
        projection,
        GRID_SIZE,
        measured.uniform.observations,
        d,
        uniformError.perRow,
      ),
      realVisits: visitCounts(projection, GRID_SIZE, real.transitions.observations, d),
      modelVisits: visitCounts(projection, GRID_SIZE, sim.visited, d),
    },
    trajectories: {
      real: projectPath(projection, real.firstEpisode, d, TRAJECTORY_POINTS),
      sim: projectPath(projection, sim.firstEpisode, d, TRAJECTORY_POINTS),
      adversary: objective.adversaryTrajectory,
    },
    objective: objective.report,
    episode: {
      observationNames: [...spec.observationNames],
      ...episodeFrames(real.firstEpisode, measured.ghost, real.firstEpisodeActions, d),
    },
  };
}

/** Real and ghost frames of the first episode, thinned to at most EPISODE_FRAMES, rounded. */
function episodeFrames(
  realObservations: Float64Array,
  ghost: number[][],
  actions: number[],
  dim: number,
): { real: number[][]; ghost: number[][]; actions: number[] } {
  const count = Math.min(realObservations.length / dim, ghost.length);
  const stride = Math.max(1, Math.ceil(count / EPISODE_FRAMES));
  const real: number[][] = [];
  const ghostFrames: number[][] = [];
  const frameActions: number[] = [];
  for (let t = 0; t < count; t += stride) {
    real.push(Array.from(realObservations.subarray(t * dim, (t + 1) * dim), round));
    ghostFrames.push(ghost[t].map(round));
    frameActions.push(round(actions[Math.min(t, actions.length - 1)] ?? 0));
  }
  return { real, ghost: ghostFrames, actions: frameActions };
}

/** A figure the phase did not produce (no fit or improvement steps yet) is null, never NaN. */
function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? round(value) : null;
}

function average(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
