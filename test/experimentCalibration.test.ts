/**
 * The backend for a run's config: under auto, the worker and the lab time that config's own
 * workload (one fit step and one rollout at its sizes), not a stand-in, and say so.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/parse';
import type { ExperimentConfig } from '../src/config/schema';
import { calibrationKey, initBackendFor } from '../src/experimentCalibration';

function config(overrides: Record<string, unknown>): ExperimentConfig {
  const parsed = parseConfig({
    env: { id: 'Pendulum-v1' },
    model: { ensembleSize: 2, width: 16, batchSize: 32 },
    imagination: { rollouts: 24, horizon: 3 },
    ...overrides,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.config;
}

describe('initBackendFor', () => {
  it('auto times the config’s workload on each backend that starts and names it in the reason', async () => {
    const choice = await initBackendFor(config({ backend: 'auto' }), { calibrationMs: 20 });
    // In Node, WebGPU and WebGL cannot start; WASM ran the workload, and CPU too unless it took
    // over twice WASM's time (backend.test.ts covers that).
    expect(Object.keys(choice.timings)).toContain('wasm');
    expect(tf.getBackend()).toBe(choice.backend);
    expect(choice.reason).toMatch(new RegExp(`^${choice.backend}: (fastest|kept \\([^)]*\\)) on this config's workload \\(best of 3`));
    // The sizes timed are this config's, so a config that changes them is timed on its own work.
    expect(choice.reason).toContain('a fit step at minibatch 32 and 24 imagined rollouts of 3 steps through 2 × 2×16 MLPs');
  });

  it('a forced backend is not timed', async () => {
    const choice = await initBackendFor(config({ backend: 'cpu' }));
    expect(choice).toMatchObject({ backend: 'cpu', reason: 'cpu, as chosen', timings: {} });
  });

  it('keys the workload by what changes its cost, not by knobs that leave it alone', () => {
    const base = calibrationKey(config({}));
    expect(calibrationKey(config({ seed: 7, model: { ensembleSize: 2, width: 16, batchSize: 32, learningRate: 0.01 } }))).toBe(base);
    expect(calibrationKey(config({ model: { ensembleSize: 2, width: 17, batchSize: 32 } }))).not.toBe(base);
    expect(calibrationKey(config({ imagination: { rollouts: 24, horizon: 4 } }))).not.toBe(base);
    expect(calibrationKey(config({ env: { id: 'CartPole-v1' } }))).not.toBe(base);
  });
});
