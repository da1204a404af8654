/**
 * The world model: an ensemble of MLPs over (observation, action) predicting next-observation
 * deltas and the reward, its training, imagined rollouts and the envs' known rewards.
 */
export { WorldModel, DEFAULT_WORLD_MODEL_CONFIG } from './worldModel';
export type { WorldModelConfig, ModelPrediction } from './worldModel';
export type { FitOptions, FitResult } from './fit';
export type { RolloutOptions, RolloutResult, MemberChoice } from './rollout';
export { randomUniformPolicy, constantPolicy } from './policy';
export type { Policy } from './policy';
export { likelihoodObjective } from './objective';
export type { ModelObjective, ObjectiveBatch, ObjectiveContext } from './objective';
export type { EnsemblePrediction } from './ensembleForward';
export { rowLosses, meanSquaredErrors, logVarBoundPenalty } from './likelihood';
export type { Likelihood } from './likelihood';
export { ACTIVATIONS } from './activation';
export type { Activation } from './activation';
export { knownRewardModel } from './knownRewards';
export type { KnownRewardModel } from './knownRewards';
export { actionFeatureDim, encodeActions, encodeActionArray } from './actions';
export { layoutFor } from './layout';
export type { EnsembleLayout, MemberLayout } from './layout';
export { modelCalibration, measureLayouts } from './calibration';
export type { CalibrationSizes } from './calibration';
export type { NormalizerStats } from './normalizer';
