/**
 * The workload `auto` times each backend on (backend.ts): one fit step and one rollout of the
 * configured model at the configured sizes, so the backend is chosen for this experiment.
 */
import type { ExperimentConfig } from './config/schema';
import { getEnv } from './envs/index';
import { modelCalibration } from './models/calibration';

export function experimentCalibration(config: ExperimentConfig): () => Promise<void> {
  const m = config.model;
  return modelCalibration(
    getEnv(config.env.id).spec,
    { members: m.ensembleSize, hiddenLayers: m.depth, hiddenUnits: m.width, activation: m.activation, likelihood: m.likelihood },
    { rollouts: config.imagination.rollouts, horizon: config.imagination.horizon, batchSize: m.batchSize },
    config.seed,
  );
}
