/**
 * What an edit means for the run going on (src/run/liveEdit.ts), derived from the knob registry:
 * live knobs go to the run, the others wait for a restart, and an edit the loop would refuse is
 * held back with the loop's own reason.
 */
import { describe, expect, it } from 'vitest';
import { comparedConfigs } from '../../src/config/compareVariants';
import { knobChanges } from '../../src/config/knobs';
import { defaultConfig } from '../../src/config/parse';
import type { ExperimentConfig } from '../../src/config/schema';
import { planEdit } from '../../src/run/liveEdit';

const base: ExperimentConfig = defaultConfig;
const run = { variants: [base], seeds: 1 };
const edit = (config: ExperimentConfig, extra: Partial<Parameters<typeof planEdit>[1]> = {}) =>
  planEdit(run, { config, compare: [], seeds: 1, ...extra });
const model = (changes: Partial<ExperimentConfig['model']>) => ({
  ...base,
  model: { ...base.model, ...changes },
});

describe('an edit while a run goes on', () => {
  it('hands a live knob to the run and asks for no restart', () => {
    const plan = edit(model({ learningRate: 0.003 }));
    expect(plan.restart).toEqual([]);
    expect(plan.refused).toBeNull();
    expect(plan.live?.map((config) => knobChanges(base, config))).toEqual([
      [{ key: 'lr', from: 0.001, to: 0.003 }],
    ]);
    expect(edit(base)).toEqual({ restart: [], live: null, refused: null });
  });

  it('holds a knob that needs a fresh run for a restart, naming it, and still hands over the live ones', () => {
    expect(edit(model({ width: 128 }))).toEqual({
      restart: ['Model width'],
      live: null,
      refused: null,
    });
    const both = edit(model({ width: 128, learningRate: 0.003 }));
    expect(both.restart).toEqual(['Model width']);
    expect(both.live?.map((config) => knobChanges(base, config))).toEqual([
      [{ key: 'lr', from: 0.001, to: 0.003 }],
    ]);
    expect(edit(base, { seeds: 3 }).restart).toEqual(['Seeds per config']);
    expect(edit(base, { compare: [{ obj: 'mnm' }] }).restart).toEqual(['Compared configs']);
    const perturbed = { ...base, env: { ...base.env, realParams: { m: 1.3 } } };
    expect(edit(perturbed).restart).toEqual(['Real-world physics']);
  });

  it('in compare mode, hands a base edit to every config that does not set the knob itself', () => {
    const compare = [{ lr: 0.01 }, { width: 64 }];
    const variants = comparedConfigs(base, compare);
    const plan = planEdit(
      { variants, seeds: 2 },
      { config: model({ learningRate: 0.003 }), compare, seeds: 2 },
    );
    expect(plan.restart).toEqual([]);
    expect(plan.live?.map((config) => config.model.learningRate)).toEqual([0.003, 0.01, 0.003]);
    // A variant's own live override changes that config alone.
    const own = planEdit(
      { variants, seeds: 2 },
      { config: base, compare: [{ lr: 0.02 }, { width: 64 }], seeds: 2 },
    );
    expect(own.live?.map((config) => config.model.learningRate)).toEqual([0.001, 0.02, 0.001]);
  });

  it('holds back what the loop would refuse, with its reason', () => {
    const noisy = { ...base, reward: { ...base.reward, noiseStd: 2 } };
    expect(edit(noisy).refused).toBe(
      'reward noise applies to optimiser "reinforce" only; with "gradient" set reward noise to 0',
    );
    const huge = { ...base, imagination: { rollouts: 16_384, horizon: 200 } };
    expect(edit(huge).refused).toMatch(/memory|budget/i);
  });
});
