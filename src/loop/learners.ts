/**
 * The run's learners, built on the backend in use: the world model, the policy network and its
 * critic, and the agent that acts (the network with its optimiser, or CEM-MPC over the model).
 * Built at the start, and again on another backend when the one in use fails mid-run.
 */
import type { ExperimentConfig } from '../config/schema';
import type { EnvDefinition, PhysicalParams } from '../envs/types';
import { WorldModel } from '../models/worldModel';
import { Critic } from '../policies/critic';
import { CRITIC } from '../policies/criticShape';
import { GradientImprover } from '../policies/gradientImprover';
import type { PolicyImprover } from '../policies/improver';
import { MpcController } from '../policies/mpcController';
import { PolicyNetwork } from '../policies/policyNetwork';
import { ReinforceImprover } from '../policies/reinforceImprover';
import type { Rng } from '../rng';
import { NetworkAgent, PlannerAgent, type Agent } from './agents';

export interface Learners {
  readonly model: WorldModel;
  readonly policy: PolicyNetwork;
  readonly critic: Critic;
}

/** The networks' input scaling, fixed for the run (the uniform box's moments). */
export interface InputMoments {
  readonly mean: Float32Array;
  readonly scale: Float32Array;
}

/** The networks on the backend in use; `rng` names their streams. */
export function createLearners(
  config: ExperimentConfig,
  definition: EnvDefinition,
  realParams: PhysicalParams,
  { mean, scale }: InputMoments,
  rng: (name: string) => Rng,
): Learners {
  const spec = definition.spec;
  const d = spec.observationNames.length;
  const m = config.model;
  const o = config.optimiser;
  return {
    model: new WorldModel(
      spec,
      {
        members: m.ensembleSize,
        hiddenLayers: m.depth,
        hiddenUnits: m.width,
        activation: m.activation,
        likelihood: m.likelihood,
      },
      rng('model'),
      realParams,
    ),
    policy: new PolicyNetwork(
      {
        observationDim: d,
        actionSpace: spec.actionSpace,
        width: o.policyWidth,
        depth: o.policyDepth,
        inputMean: mean,
        inputScale: scale,
      },
      rng('policy'),
    ),
    critic: new Critic(
      {
        observationDim: d,
        width: CRITIC.width,
        depth: CRITIC.depth,
        inputMean: mean,
        inputScale: scale,
      },
      CRITIC.learningRate,
      rng('critic'),
    ),
  };
}

/**
 * The agent for the config: CEM-MPC plans in the model (its stream named by `rng`); the other
 * optimisers improve the policy network. `config` reads the run's config as it is now.
 */
export function createAgent(
  learners: Learners,
  config: () => ExperimentConfig,
  rng: (name: string) => Rng,
): Agent {
  const { optimiser, reward } = config();
  if (optimiser.kind === 'cem') {
    const mpc = new MpcController(
      learners.model,
      {
        population: optimiser.cemPopulation,
        elites: optimiser.cemElites,
        iterations: optimiser.cemIterations,
        horizon: optimiser.cemHorizon,
        smoothing: optimiser.cemSmoothing,
        member: 'random',
        reward: reward.kind,
      },
      rng('mpc'),
    );
    return new PlannerAgent(mpc, learners.critic, config);
  }
  return new NetworkAgent(learners.policy, learners.critic, createImprover(config()), config);
}

function createImprover(config: ExperimentConfig): PolicyImprover {
  switch (config.optimiser.kind) {
    case 'gradient':
      return new GradientImprover(config.optimiser.learningRate);
    case 'reinforce':
      return new ReinforceImprover(config.optimiser.learningRate);
    case 'cem':
      throw new Error(
        'optimiser "cem" plans with MpcController instead of improving a policy network',
      );
  }
}

/** Per column of [n × dim] rows: the mean and the standard deviation (at least 1e-6). */
export function columnMoments(rows: Float32Array, dim: number): InputMoments {
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
