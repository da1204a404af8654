/**
 * Sim-to-real: before any real data, the model learns the nominal simulator (the env with its
 * default physics) from random transitions; the loop then fine-tunes it on the real world's.
 */
import type { ExperimentConfig } from '../config/schema';
import { collectTransitions, randomActor } from '../data/collect';
import { ReplayBuffer } from '../data/replayBuffer';
import type { EnvDefinition } from '../envs/types';
import type { FitResult } from '../models/fit';
import type { WorldModel } from '../models/worldModel';
import { createRng } from '../rng';

const PRETRAIN_MAX_STEPS = 5_000;

export async function pretrainOnNominalSimulator(
  config: ExperimentConfig,
  definition: EnvDefinition,
  model: WorldModel,
): Promise<FitResult> {
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
  return model.fit(buffer, steps, {
    batchSize: config.model.batchSize,
    learningRate: config.model.learningRate,
    weightDecay: config.model.weightDecay,
  });
}
