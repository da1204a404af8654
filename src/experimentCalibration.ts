/**
 * The workload `auto` times each backend on (backend.ts): one fit step and one rollout of the
 * configured model at the configured sizes, so the backend is chosen for this experiment. The
 * lab and the worker both choose through `initBackendFor`, so a link and a headless run pick
 * their backend the same way.
 */
import { initBackend, type BackendChoice, type BackendName, type BackendOptions } from './backend';
import type { ReplayBuffer } from './data/replayBuffer';
import { fusedProblem } from './imagination/webgpu/fusedCoverage';
import type { WorldModel } from './models/worldModel';
import { CRITIC } from './policies/criticShape';
import { imaginedGradientStep } from './policies/gradientCalibration';
import type { ImaginationSettings } from './policies/improver';
import type { Rng } from './rng';
import type { ExperimentConfig } from './config/schema';
import { getEnv } from './envs/index';
import { modelCalibration } from './models/calibration';

export function experimentCalibration(config: ExperimentConfig): (overBudget?: () => boolean) => Promise<void> {
  const m = config.model;
  const o = config.optimiser;
  const settings: ImaginationSettings = {
    rollouts: config.imagination.rollouts,
    horizon: config.imagination.horizon,
    discount: o.discount,
    lambda: o.lambda,
    reward: config.reward.kind,
    rewardNoiseStd: config.reward.noiseStd,
    risk: config.risk,
  };
  // The gradient optimiser's imagined step is most of an iteration, and on WebGPU it is the fused path.
  const gradientStep =
    o.kind === 'gradient'
      ? (model: WorldModel, buffer: ReplayBuffer, rng: Rng) =>
          imaginedGradientStep(model, buffer, { policyWidth: o.policyWidth, policyDepth: o.policyDepth, settings }, rng)
      : undefined;
  return modelCalibration(
    getEnv(config.env.id).spec,
    { members: m.ensembleSize, hiddenLayers: m.depth, hiddenUnits: m.width, activation: m.activation, likelihood: m.likelihood },
    { rollouts: config.imagination.rollouts, horizon: config.imagination.horizon, batchSize: m.batchSize },
    config.seed,
    gradientStep,
  );
}

/**
 * How the optimiser's imagined gradient steps run on `backend`: the fused WGSL programs on
 * WebGPU where they cover the config (fusedCoverage.ts), tfjs kernels otherwise.
 */
export function imaginationPath(config: ExperimentConfig, backend: BackendName): string {
  if (backend !== 'webgpu' || config.optimiser.kind !== 'gradient') return 'tfjs kernels';
  const space = getEnv(config.env.id).spec.actionSpace;
  const problem = fusedProblem({
    rewrite: config.objective.kind === 'mnm',
    boxDimensions: space.kind === 'box' ? space.dim : null,
    reward: config.reward.kind,
    widths: [config.model.width, config.optimiser.policyWidth, CRITIC.width],
  });
  return problem === null ? 'fused WGSL' : `tfjs kernels (${problem})`;
}

/**
 * The settings the calibration workload depends on, as one string: two configs with the same
 * key time the same work, so a backend chosen for one holds for the other (the worker keeps its
 * choice while the key stays the same; changing a knob like the learning rate does not re-time).
 */
export function calibrationKey(config: ExperimentConfig): string {
  const m = config.model;
  const i = config.imagination;
  const o = config.optimiser;
  return [
    config.env.id, m.ensembleSize, m.depth, m.width, m.activation, m.likelihood, m.batchSize, i.rollouts, i.horizon,
    o.kind, o.policyWidth, o.policyDepth, config.reward.kind, config.risk.kind, config.objective.kind,
  ].join(' ');
}

/** One run of the calibration workload, in words, for the reason the user is shown. */
export function describeCalibration(config: ExperimentConfig): string {
  const m = config.model;
  const i = config.imagination;
  return (
    `a fit step at minibatch ${m.batchSize} and ${i.rollouts} imagined rollouts of ${i.horizon} steps ` +
    `through ${m.ensembleSize} × ${m.depth}×${m.width} MLPs` +
    (config.optimiser.kind === 'gradient' ? ', and one imagined gradient step' : '')
  );
}

/** initBackend's options other than what the config decides (wasmPaths, calibrationMs, …). */
export type BackendForOptions = Omit<BackendOptions, 'preference' | 'calibrate' | 'calibrationName'>;

/**
 * The config's backend: a forced one as chosen (with its fallback), `auto` by timing this
 * config's workload on every backend that starts; the reason then says what one run of it is.
 */
export async function initBackendFor(config: ExperimentConfig, options: BackendForOptions = {}): Promise<BackendChoice> {
  const choice = await chooseBackendFor(config, options);
  return { ...choice, imagination: imaginationPath(config, choice.backend) };
}

async function chooseBackendFor(config: ExperimentConfig, options: BackendForOptions): Promise<BackendChoice> {
  if (config.backend !== 'auto') return initBackend({ preference: config.backend, ...options });
  const choice = await initBackend({
    preference: 'auto',
    ...options,
    calibrate: experimentCalibration(config),
    calibrationName: "this config's workload",
  });
  const timed = Object.keys(choice.timings).length > 0;
  return timed ? { ...choice, reason: `${choice.reason}; one run: ${describeCalibration(config)}` } : choice;
}
