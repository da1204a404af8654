/**
 * The memory estimate (src/config/resourceEstimate.ts) against what the loop really holds: for
 * configs where each part of the estimate dominates in turn (the gradient's tape under each
 * activation, CVaR, REINFORCE, CEM-MPC, the model fit, the evaluation), the estimated tensor peak
 * is within [0.7, 2] × the peak tf.profile measures over a one-iteration run on WASM. And the
 * refusal: every preset passes, the biggest configs do not, and the message names the knobs.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend';
import { defaultConfig, parseConfig } from '../../src/config/parse';
import { presets } from '../../src/config/presets';
import {
  assertWithinMemoryBudget,
  estimateMemory,
  estimateSideBySide,
  formatBytes,
  MEMORY_BUDGET_BYTES,
  MemoryBudgetError,
} from '../../src/config/resourceEstimate';
import type { ExperimentConfig, ExperimentConfigInput } from '../../src/config/schema';
import { urlFields } from '../../src/config/urlKeys';
import { runExperiment } from '../../src/experiment';

beforeAll(() => initBackend({ preference: 'wasm' }));

/** Little real work besides the part under test: one iteration, one step of each kind. */
const BASE: ExperimentConfigInput = {
  iterations: 1,
  seed: 1,
  backend: 'wasm',
  data: { initialRandomSteps: 300, realStepsPerIteration: 20, bufferSize: 1_000 },
  model: { trainStepsPerIteration: 2 },
  optimiser: { stepsPerIteration: 1 },
  evaluation: { episodes: 2, episodeLength: 20 },
};

function config(overrides: Record<string, Record<string, unknown>>): ExperimentConfig {
  const merged: Record<string, unknown> = { ...BASE };
  for (const [section, values] of Object.entries(overrides)) {
    merged[section] = { ...((merged[section] as object | undefined) ?? {}), ...values };
  }
  const parsed = parseConfig(merged);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.config;
}

/** The largest tf.memory().numBytes above the start while the run's generator works. */
async function measuredPeak(run: ExperimentConfig): Promise<number> {
  const before = tf.memory().numBytes;
  const events = runExperiment(run);
  let peak = 0;
  for (;;) {
    let done = false;
    const info = await tf.profile(async () => {
      done = (await events.next()).done === true;
    });
    peak = Math.max(peak, info.peakBytes - before);
    if (done) return peak;
  }
}

const MODEL = { ensembleSize: 3, width: 64, depth: 2 };
const cases: Record<string, ExperimentConfig> = {
  'gradient, relu': config({ imagination: { rollouts: 512, horizon: 20 }, model: MODEL }),
  'gradient, tanh': config({
    imagination: { rollouts: 256, horizon: 10 },
    model: { ensembleSize: 2, width: 128, depth: 3, activation: 'tanh' },
  }),
  'gradient, silu': config({
    imagination: { rollouts: 256, horizon: 10 },
    model: { ensembleSize: 2, width: 128, depth: 3, activation: 'silu' },
  }),
  'gradient, CVaR, Acrobot': config({
    env: { id: 'Acrobot-v1' },
    risk: { kind: 'cvar' },
    imagination: { rollouts: 128, horizon: 20 },
    model: MODEL,
  }),
  REINFORCE: config({
    optimiser: { kind: 'reinforce' },
    imagination: { rollouts: 2048, horizon: 20 },
    model: MODEL,
  }),
  'CEM-MPC': config({
    optimiser: { kind: 'cem', cemPopulation: 512, cemHorizon: 20, cemIterations: 1 },
    evaluation: { episodes: 4, episodeLength: 10 },
    model: MODEL,
  }),
  'model fit': config({
    model: { batchSize: 2048, ensembleSize: 5, width: 128, depth: 2 },
    imagination: { rollouts: 8, horizon: 2 },
  }),
  'evaluation errors': config({
    model: { ensembleSize: 5, width: 256, depth: 2, trainStepsPerIteration: 1, batchSize: 8 },
    imagination: { rollouts: 8, horizon: 2 },
  }),
};

describe('memory estimate', () => {
  it(
    'is within [0.7, 2] × the measured tensor peak wherever each of its parts dominates',
    { timeout: 180_000 },
    async () => {
      const ratios: string[] = [];
      const outside: string[] = [];
      for (const [name, run] of Object.entries(cases)) {
        const estimate = estimateMemory(run);
        const measured = await measuredPeak(run);
        const ratio = estimate.tensorPeakBytes / measured;
        const line = `${name}: estimated ${formatBytes(estimate.tensorPeakBytes)} (${estimate.peakPhase}), measured ${formatBytes(measured)}, ratio ${ratio.toFixed(2)}`;
        ratios.push(line);
        if (!(ratio >= 0.7 && ratio <= 2)) outside.push(line);
      }
      console.log(`memory estimate vs tf.profile peak on WASM:\n  ${ratios.join('\n  ')}`);
      expect(outside).toEqual([]);
    },
  );

  it('passes the default config and every preset, well under the budget', () => {
    expect(estimateMemory(defaultConfig).peakBytes).toBeLessThan(MEMORY_BUDGET_BYTES / 2);
    for (const [name, preset] of Object.entries(presets)) {
      const parsed = parseConfig(preset.config);
      if (!parsed.ok) throw new Error(name);
      expect(() => assertWithinMemoryBudget(parsed.config), name).not.toThrow();
    }
  });

  it('never estimates less for a knob at its max than at its min', () => {
    for (const field of urlFields) {
      if (field.kind === 'enum') continue;
      const [section, key] = field.path.split('.');
      const at = (value: number) =>
        estimateMemory(
          key === undefined
            ? { ...defaultConfig, [section]: value }
            : {
                ...defaultConfig,
                [section]: {
                  ...(defaultConfig[section as keyof ExperimentConfig] as object),
                  [key]: value,
                },
              },
        ).peakBytes;
      expect(at(field.max), field.path).toBeGreaterThanOrEqual(at(field.min));
    }
  });

  it('counts runs side by side: each keeps its model and data, one at a time works a phase', () => {
    const big: ExperimentConfig = {
      ...defaultConfig,
      model: { ...defaultConfig.model, ensembleSize: 10, width: 512, depth: 4 },
      imagination: { rollouts: 16, horizon: 8 },
    };
    const one = estimateMemory(big);
    const persistent = one.terms
      .filter((term) => term.phase === 'persistent')
      .reduce((sum, term) => sum + term.bytes, 0);
    expect(estimateSideBySide([big]).peakBytes).toBeCloseTo(one.peakBytes);
    expect(() => assertWithinMemoryBudget(big)).not.toThrow();
    // The app's largest comparison: 4 configs × 5 seeds.
    const lanes = Array.from({ length: 20 }, (_, seed) => ({ ...big, seed }));
    expect(estimateSideBySide(lanes).peakBytes).toBeCloseTo(one.peakBytes + 19 * persistent);
    expect(() => assertWithinMemoryBudget(lanes)).toThrow(
      /these 20 runs side by side .*× 20 seeds.*compare fewer configs or seeds/s,
    );
    const defaults = Array.from({ length: 20 }, (_, seed) => ({ ...defaultConfig, seed }));
    expect(() => assertWithinMemoryBudget(defaults)).not.toThrow();
  });

  it('refuses a large ensemble imagining 1024 rollouts over the longest horizon, naming the knobs and the budget', () => {
    const long = config({ model: { ensembleSize: 5, width: 200, depth: 2 }, imagination: { rollouts: 1024, horizon: 200 } });
    let caught: unknown = null;
    try {
      assertWithinMemoryBudget(long);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MemoryBudgetError);
    const message = (caught as Error).message;
    expect(message).toMatch(/would need about [\d.]+ GiB .*above the 1\.5 GiB/);
    expect(message).toContain('imagination.horizon = 200');
    expect(message).toContain('imagination.rollouts = 1024');
    expect((caught as MemoryBudgetError).estimate.peakPhase).toBe('improve');
    // A bigger budget lets it through: the refusal is the budget's, nothing else.
    expect(() => assertWithinMemoryBudget(long, 8 * 1024 ** 3)).not.toThrow();
  });
});
