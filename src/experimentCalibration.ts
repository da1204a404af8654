/**
 * The workload `auto` times each backend on (backend.ts): one fit step and one rollout of the
 * configured model at the configured sizes, so the backend is chosen for this experiment. The
 * lab and the worker both choose through `initBackendFor`, so a link and a headless run pick
 * their backend the same way.
 */
import { initBackend, type BackendChoice, type BackendOptions } from './backend';
import type { ExperimentConfig } from './config/schema';
import { getEnv } from './envs/index';
import { modelCalibration } from './models/calibration';

export function experimentCalibration(config: ExperimentConfig): (overBudget?: () => boolean) => Promise<void> {
  const m = config.model;
  return modelCalibration(
    getEnv(config.env.id).spec,
    { members: m.ensembleSize, hiddenLayers: m.depth, hiddenUnits: m.width, activation: m.activation, likelihood: m.likelihood },
    { rollouts: config.imagination.rollouts, horizon: config.imagination.horizon, batchSize: m.batchSize },
    config.seed,
  );
}

/**
 * The settings the calibration workload depends on, as one string: two configs with the same
 * key time the same work, so a backend chosen for one holds for the other (the worker keeps its
 * choice while the key stays the same; changing a knob like the learning rate does not re-time).
 */
export function calibrationKey(config: ExperimentConfig): string {
  const m = config.model;
  const i = config.imagination;
  return [config.env.id, m.ensembleSize, m.depth, m.width, m.activation, m.likelihood, m.batchSize, i.rollouts, i.horizon].join(' ');
}

/** One run of the calibration workload, in words, for the reason the user is shown. */
export function describeCalibration(config: ExperimentConfig): string {
  const m = config.model;
  const i = config.imagination;
  return (
    `a fit step at minibatch ${m.batchSize} and ${i.rollouts} imagined rollouts of ${i.horizon} steps ` +
    `through ${m.ensembleSize} × ${m.depth}×${m.width} MLPs`
  );
}

/** initBackend's options other than what the config decides (wasmPaths, calibrationMs, …). */
export type BackendForOptions = Omit<BackendOptions, 'preference' | 'calibrate' | 'calibrationName'>;

/**
 * The config's backend: a forced one as chosen (with its fallback), `auto` by timing this
 * config's workload on every backend that starts; the reason then says what one run of it is.
 */
export async function initBackendFor(config: ExperimentConfig, options: BackendForOptions = {}): Promise<BackendChoice> {
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
