/**
 * The experiment config: plain, serialisable, validated. It is what the URL encodes, what the lab
 * CLI reads and what the worker receives. Every number has a range here; the URL codec clamps
 * into these ranges and the UI's sliders are drawn from them, so this file is the one place a
 * knob's limits live.
 */
import { z } from 'zod';

const int = (min: number, max: number, fallback: number) =>
  z.number().int().min(min).max(max).default(fallback);
const real = (min: number, max: number, fallback: number) =>
  z.number().min(min).max(max).default(fallback);

export const envIdSchema = z.enum([
  'Pendulum-v1',
  'MountainCarContinuous-v0',
  'CartPole-v1',
  'Acrobot-v1',
  'MountainCar-v0',
]);

export const backendSchema = z.enum(['auto', 'webgpu', 'webgl', 'wasm', 'cpu']);
export const activationSchema = z.enum(['relu', 'elu', 'tanh', 'silu', 'sigmoid']);

export const envConfigSchema = z
  .object({
    id: envIdSchema.default('Pendulum-v1'),
    /** The "real world": physical parameters that differ from the nominal env. */
    realParams: z.record(z.string(), z.number().refine(Number.isFinite, 'must be finite')).default({}),
  })
  .strict();

export const dataConfigSchema = z
  .object({
    initialRandomSteps: int(0, 20_000, 200),
    realStepsPerIteration: int(10, 20_000, 100),
    explorationNoise: real(0, 2, 0.2),
    bufferSize: int(100, 200_000, 20_000),
    holdoutFraction: real(0, 0.5, 0.1),
  })
  .strict();

export const modelConfigSchema = z
  .object({
    ensembleSize: int(1, 10, 3),
    width: int(4, 512, 64),
    /** Hidden layers; 0 makes the model linear in its normalised inputs. */
    depth: int(0, 4, 2),
    activation: activationSchema.default('relu'),
    likelihood: z.enum(['mse', 'gaussian']).default('mse'),
    learningRate: real(1e-5, 1e-1, 1e-3),
    weightDecay: real(0, 1e-1, 1e-5),
    trainStepsPerIteration: int(0, 5_000, 100),
    batchSize: int(8, 4_096, 256),
    /** Transitions of the nominal simulator the model learns from before any real data. */
    pretrainTransitions: int(0, 100_000, 0),
  })
  .strict();

export const rewardConfigSchema = z
  .object({
    kind: z.enum(['known', 'learned']).default('known'),
    /** Std of zero-mean noise added to every imagined reward (the reward-noise question). */
    noiseStd: real(0, 100, 0),
  })
  .strict();

export const imaginationConfigSchema = z
  .object({
    rollouts: int(1, 16_384, 64),
    horizon: int(1, 200, 32),
  })
  .strict();

export const optimiserConfigSchema = z
  .object({
    kind: z.enum(['gradient', 'reinforce', 'cem']).default('gradient'),
    learningRate: real(1e-5, 1e-1, 1e-2),
    stepsPerIteration: int(0, 2_000, 30),
    policyWidth: int(4, 256, 64),
    policyDepth: int(1, 3, 2),
    discount: real(0.5, 1, 0.99),
    /** TD(λ) for the critic learned on imagined rollouts. */
    lambda: real(0, 1, 0.95),
    cemPopulation: int(8, 2_048, 256),
    cemElites: int(2, 256, 25),
    cemIterations: int(1, 20, 5),
    cemHorizon: int(1, 100, 25),
    cemSmoothing: real(0, 0.99, 0.1),
  })
  .strict();

export const riskConfigSchema = z
  .object({
    kind: z.enum(['mean', 'cvar']).default('mean'),
    alpha: real(0.05, 1, 0.3),
  })
  .strict();

export const objectiveConfigSchema = z
  .object({
    kind: z.enum(['mse', 'policyAware', 'mnm', 'stackelberg']).default('mse'),
    /** Strength of the policy-aware term (occupancy weighting, classifier loss, or maximin). */
    strength: real(0, 10, 1),
    /** Share of each iteration's real budget collected by the adversary (active selection). */
    adversaryShare: real(0, 1, 0.5),
    adversarySignal: z.enum(['critic', 'disagreement']).default('critic'),
    /** Stackelberg: the likelihood ball's radius, as a relative increase of holdout loss. */
    ballRadius: real(0, 5, 0.1),
  })
  .strict();

export const evaluationConfigSchema = z
  .object({
    episodes: int(1, 64, 3),
    episodeLength: int(10, 1_000, 200),
  })
  .strict();

export const experimentConfigSchema = z
  .object({
    /** 2: the defaults sized to answer within seconds (versionOneDefaults.ts says what changed). */
    version: z.literal(2).default(2),
    seed: int(0, 2 ** 31 - 1, 0),
    iterations: int(1, 10_000, 30),
    backend: backendSchema.default('auto'),
    env: envConfigSchema.default(() => envConfigSchema.parse({})),
    data: dataConfigSchema.default(() => dataConfigSchema.parse({})),
    model: modelConfigSchema.default(() => modelConfigSchema.parse({})),
    reward: rewardConfigSchema.default(() => rewardConfigSchema.parse({})),
    imagination: imaginationConfigSchema.default(() => imaginationConfigSchema.parse({})),
    optimiser: optimiserConfigSchema.default(() => optimiserConfigSchema.parse({})),
    risk: riskConfigSchema.default(() => riskConfigSchema.parse({})),
    objective: objectiveConfigSchema.default(() => objectiveConfigSchema.parse({})),
    evaluation: evaluationConfigSchema.default(() => evaluationConfigSchema.parse({})),
  })
  .strict();

export type ExperimentConfig = z.infer<typeof experimentConfigSchema>;
/** A config as a user may write it: every field optional, defaults filled by `parseConfig`. */
export type ExperimentConfigInput = z.input<typeof experimentConfigSchema>;
