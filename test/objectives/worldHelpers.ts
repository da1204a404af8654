/**
 * Shared by the objective tests: an ObjectiveWorld built by hand (a model fitted on random
 * transitions, a fresh policy and critic), and the setup an objective is constructed from.
 */
import { getEnv } from '../../src/envs';
import { columnMoments as loopColumnMoments } from '../../src/loop/learners';
import type { EnvId } from '../../src/envs/types';
import type { Activation } from '../../src/models/activation';
import type { Likelihood } from '../../src/models/likelihood';
import { WorldModel } from '../../src/models/worldModel';
import type { ObjectiveSetup, ObjectiveWorld } from '../../src/objectives/learningObjective';
import { Critic } from '../../src/policies/critic';
import { PolicyNetwork } from '../../src/policies/policyNetwork';
import { createRng } from '../../src/rng';
import { tinyConfig } from '../experiment/helpers';
import { collectRandomTransitions } from '../models/helpers';

export interface WorldOptions {
  readonly seed?: number;
  /** Parallel envs × steps of random transitions in the buffer. */
  readonly envs?: number;
  readonly steps?: number;
  /** Minibatch steps of maximum likelihood before the objective sees the model (0: untrained). */
  readonly fitSteps?: number;
  readonly members?: number;
  readonly activation?: Activation;
  /** Hidden layers of the model (0: linear), and units per layer. */
  readonly depth?: number;
  readonly width?: number;
  readonly likelihood?: Likelihood;
  readonly holdoutFraction?: number;
  readonly horizon?: number;
  readonly rollouts?: number;
}

export interface TestWorld {
  readonly world: ObjectiveWorld;
  readonly inputMean: Float32Array;
  readonly inputScale: Float32Array;
  setup(objective: Record<string, unknown>): ObjectiveSetup;
  dispose(): void;
}

export async function buildWorld(envId: EnvId, options: WorldOptions = {}): Promise<TestWorld> {
  const seed = options.seed ?? 1;
  const rng = createRng(seed);
  const definition = getEnv(envId);
  const spec = definition.spec;
  const d = spec.observationNames.length;
  const buffer = collectRandomTransitions(
    envId,
    options.envs ?? 16,
    options.steps ?? 64,
    rng.fork('data'),
    {
      holdoutFraction: options.holdoutFraction ?? 0.2,
    },
  );
  const model = new WorldModel(
    spec,
    { members: options.members ?? 2, hiddenLayers: options.depth ?? 2, hiddenUnits: options.width ?? 32, activation: options.activation ?? 'elu', likelihood: options.likelihood ?? 'mse' },
    rng.fork('model'),
  );
  const fitSteps = options.fitSteps ?? 300;
  if (fitSteps > 0) await model.fit(buffer, fitSteps, { batchSize: 64, learningRate: 3e-3 });
  const { inputMean, inputScale } = columnMoments(
    buffer.gather(buffer.slots('all')).observations,
    d,
  );
  const shape = { observationDim: d, width: 16, depth: 1, inputMean, inputScale };
  const policy = new PolicyNetwork({ ...shape, actionSpace: spec.actionSpace }, rng.fork('policy'));
  const critic = new Critic(shape, 3e-3, rng.fork('critic'));
  const realParams = spec.defaultParams;
  const realEnv = definition.createBatch(1, realParams);
  const world: ObjectiveWorld = {
    definition,
    realParams,
    realEnv,
    model,
    policy,
    critic,
    buffer,
    imagination: {
      rollouts: options.rollouts ?? 32,
      horizon: options.horizon ?? 8,
      discount: 0.99,
      lambda: 0.95,
      reward: 'known',
      rewardNoiseStd: 0,
      risk: { kind: 'mean', alpha: 0.3 },
    },
    iteration: 0,
  };
  return {
    world,
    inputMean,
    inputScale,
    setup: (objective) => ({
      config: tinyConfig({ env: { id: envId }, objective }),
      definition,
      inputMean,
      inputScale,
      rng: createRng(seed).fork('objective'),
    }),
    dispose: () => {
      model.dispose();
      policy.dispose();
      critic.dispose();
    },
  };
}

function columnMoments(rows: Float32Array, d: number): { inputMean: Float32Array; inputScale: Float32Array } {
  const { mean, scale } = loopColumnMoments(rows, d);
  return { inputMean: mean, inputScale: scale };
}
