/**
 * The world model: an ensemble of E MLPs predicting normalised next-observation deltas and the
 * reward from (observation, action), in observation space. One object owns the variables, the
 * normalisation statistics and the optimiser state; `dispose()` frees them all.
 */
import * as tf from '@tensorflow/tfjs';
import type { EnvSpec, PhysicalParams } from '../envs/types';
import type { ReplayBuffer } from '../data/replayBuffer';
import type { Rng } from '../rng';
import { actionFeatureDim, encodeActions } from './actions';
import type { Activation } from './activation';
import { AdamW } from './adamW';
import { EnsembleParameters } from './ensembleParameters';
import { fitEnsemble, type FitOptions, type FitResult } from './fit';
import { columnMaps, disposeColumnMaps, forwardMembers, placeInputs, repeatRows } from './inferenceForward';
import { foldInferenceWeights } from './inferenceWeights';
import { knownRewardModel, type KnownRewardModel } from './knownRewards';
import { layoutFor, type EnsembleLayout } from './layout';
import type { Likelihood } from './likelihood';
import type { NormalizerStats } from './normalizer';
import { likelihoodObjective } from './objective';
import type { Policy } from './policy';
import { imagineRollout, type RolloutOptions, type RolloutResult } from './rollout';
import { tidyKeeping } from './tidy';

export interface WorldModelConfig {
  readonly members: number;
  readonly hiddenLayers: number;
  readonly hiddenUnits: number;
  readonly activation: Activation;
  readonly likelihood: Likelihood;
  /** Omit to use the layout measured (or recorded) fastest for the current backend. */
  readonly layout?: EnsembleLayout;
}

export const DEFAULT_WORLD_MODEL_CONFIG: WorldModelConfig = {
  members: 5,
  hiddenLayers: 2,
  hiddenUnits: 200,
  activation: 'relu',
  likelihood: 'mse',
};

/** Every member's one-step prediction for the same rows, in real units. */
export interface ModelPrediction {
  /** [E, R, obsDim] */
  readonly nextObservations: tf.Tensor3D;
  /** [E, R]: the learned reward head. */
  readonly rewards: tf.Tensor2D;
  /** [E, R, obsDim]: the predicted std of the next observation (Gaussian models), else null. */
  readonly nextObservationStd: tf.Tensor3D | null;
}

export class WorldModel {
  readonly spec: EnvSpec;
  readonly config: WorldModelConfig;
  readonly observationDim: number;
  readonly knownReward: KnownRewardModel;
  /** The physics the known reward and termination read. */
  readonly physicalParams: PhysicalParams;
  private readonly parameters: EnsembleParameters;
  private optimizer: AdamW;
  private readonly minibatchRng: Rng;
  /** Draws the random members of rollouts whose caller gives no stream of its own. */
  readonly rolloutRng: Rng;
  private statistics: NormalizerStats;

  constructor(spec: EnvSpec, config: Partial<WorldModelConfig>, rng: Rng, params?: PhysicalParams) {
    this.spec = spec;
    this.config = { ...DEFAULT_WORLD_MODEL_CONFIG, ...config };
    this.observationDim = spec.observationNames.length;
    this.physicalParams = params ?? spec.defaultParams;
    this.knownReward = knownRewardModel(spec.id, this.physicalParams);
    const inputDim = this.observationDim + actionFeatureDim(spec.actionSpace);
    const outputDim = this.observationDim + 1;
    this.parameters = new EnsembleParameters(
      {
        members: this.config.members,
        inputDim,
        outputDim,
        hiddenLayers: this.config.hiddenLayers,
        hiddenUnits: this.config.hiddenUnits,
        activation: this.config.activation,
        gaussian: this.config.likelihood === 'gaussian',
      },
      rng.fork('model-init'),
    );
    this.optimizer = new AdamW(this.parameters.variables(), this.parameters.decayMask());
    this.minibatchRng = rng.fork('minibatch');
    this.rolloutRng = rng.fork('rollout');
    this.statistics = identityStats(inputDim, outputDim);
  }

  /** The layout in use: the configured one, else the fastest known for the current backend. */
  get layout(): EnsembleLayout {
    return this.config.layout ?? layoutFor(tf.getBackend());
  }

  get stats(): NormalizerStats {
    return this.statistics;
  }

  /** Puts back statistics kept from an earlier fit (with the parameters they normalised for). */
  restoreStatistics(stats: NormalizerStats): void {
    this.statistics = stats;
  }

  /** Forgets AdamW's moments (after a divergence they may hold NaN). */
  resetOptimizer(): void {
    this.optimizer.dispose();
    this.optimizer = new AdamW(this.parameters.variables(), this.parameters.decayMask());
  }

  /** The trainable variables (for objectives that differentiate through the model). */
  get variables(): tf.Variable[] {
    return this.parameters.variables();
  }

  /** The stacked parameters, for objectives and tests. */
  get ensemble(): EnsembleParameters {
    return this.parameters;
  }

  /** `steps` minibatch steps of the objective (default: maximum likelihood) on the buffer. */
  async fit(buffer: ReplayBuffer, steps: number, options: FitOptions = {}): Promise<FitResult> {
    const { stats, result } = await fitEnsemble(
      {
        parameters: this.parameters,
        optimizer: this.optimizer,
        likelihood: this.config.likelihood,
        layout: this.layout,
        actionSpace: this.spec.actionSpace,
        minibatchRng: this.minibatchRng,
      },
      buffer,
      steps,
      options.objective ?? likelihoodObjective,
      options,
    );
    this.statistics = stats;
    return result;
  }

  /** Every member's prediction from the same observations [R, obsDim] and actions [R, ·]. */
  predict(observations: tf.Tensor2D, actions: tf.Tensor2D): ModelPrediction {
    const d = this.observationDim;
    const E = this.config.members;
    const R = observations.shape[0];
    const weights = foldInferenceWeights(this.parameters, this.statistics, d + 1, this.layout);
    const maps = columnMaps(d, actionFeatureDim(this.spec.actionSpace), d + 1);
    try {
      return tidyKeeping(() => {
        const x = placeInputs(observations, encodeActions(actions, this.spec.actionSpace), maps);
        const gaussian = weights.logVar !== null;
        const { mean, logVar } = forwardMembers(weights, x, 'shared', gaussian);
        const repeated = repeatRows(observations, E);
        const toMembers = (t: tf.Tensor) => tf.reshape(t, [E, R, -1]) as tf.Tensor3D;
        const std =
          logVar === null ? null : tf.mul(tf.exp(tf.mul(tf.matMul(logVar, maps.pickDeltas), 0.5)), this.deltaStdTensor());
        return {
          nextObservations: toMembers(tf.add(repeated, tf.matMul(mean, maps.pickDeltas))),
          rewards: tf.reshape(tf.matMul(mean, maps.pickReward), [E, R]) as tf.Tensor2D,
          nextObservationStd: std === null ? null : toMembers(std),
        };
      });
    } finally {
      weights.dispose();
      disposeColumnMaps(maps);
    }
  }

  /**
   * Imagined rollouts from start observations [B, obsDim] for `horizon` steps (rollout.ts).
   * The caller owns the result and disposes it.
   */
  rollout(startObservations: tf.Tensor2D, policy: Policy, horizon: number, options: RolloutOptions = {}): RolloutResult {
    if (startObservations.shape[1] !== this.observationDim) {
      throw new Error(`rollout: start observations need ${this.observationDim} columns`);
    }
    const learned = options.reward === 'learned';
    const d = this.observationDim;
    const weights = foldInferenceWeights(this.parameters, this.statistics, learned ? d + 1 : d, this.layout);
    try {
      return imagineRollout(
        {
          weights,
          actionSpace: this.spec.actionSpace,
          knownReward: this.knownReward,
          deltaStd: this.statistics.targetStd,
        },
        startObservations,
        policy,
        horizon,
        { ...options, rng: options.rng ?? this.rolloutRng },
      );
    } finally {
      weights.dispose();
    }
  }

  dispose(): void {
    this.parameters.dispose();
    this.optimizer.dispose();
  }

  private deltaStdTensor(): tf.Tensor1D {
    return tf.tensor1d(Float32Array.from(this.statistics.targetStd).subarray(0, this.observationDim));
  }
}

function identityStats(inputDim: number, outputDim: number): NormalizerStats {
  return {
    inputMean: new Float64Array(inputDim),
    inputStd: new Float64Array(inputDim).fill(1),
    targetMean: new Float64Array(outputDim),
    targetStd: new Float64Array(outputDim).fill(1),
  };
}
