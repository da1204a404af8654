import { describe, expect, it } from 'vitest';
import {
  applyVariant,
  comparedConfigs,
  effectiveOverrides,
  MAX_CONFIGS,
} from '../../src/config/compareVariants';
import { defaultConfig } from '../../src/config/parse';
import { decodeHash } from '../../src/config/urlCodec';

describe('compare variants', () => {
  const base = decodeHash('v=2&preset=exploit&real.g=12').config;

  it('overrides the named knobs of the base and nothing else', () => {
    const variant = applyVariant(base, { obj: 'mnm', width: 128, steps: 50 });
    expect(variant).toEqual({
      ...base,
      objective: { ...base.objective, kind: 'mnm' },
      model: { ...base.model, width: 128 },
      data: { ...base.data, realStepsPerIteration: 50 },
    });
    // The base is untouched.
    expect(base.model.width).toBe(64);
  });

  it("starts a variant in another env from that env's nominal physics", () => {
    expect(base.env.realParams).toEqual({ g: 12 });
    expect(applyVariant(base, { env: 'CartPole-v1' }).env).toEqual({
      id: 'CartPole-v1',
      realParams: {},
    });
    expect(applyVariant(base, { env: 'Pendulum-v1' }).env.realParams).toEqual({ g: 12 });
  });

  it('ignores the shared backend and refuses a value out of range', () => {
    expect(applyVariant(defaultConfig, { be: 'cpu' }).backend).toBe('auto');
    expect(() => applyVariant(defaultConfig, { width: 9999 })).toThrow();
  });

  it('lists the base first and at most four configs', () => {
    const configs = comparedConfigs(base, [
      { width: 16 },
      { width: 32 },
      { width: 48 },
      { width: 96 },
    ]);
    expect(configs).toHaveLength(MAX_CONFIGS);
    expect(configs.map((config) => config.model.width)).toEqual([64, 16, 32, 48]);
  });

  it('names only the overrides that change the base', () => {
    const changed = effectiveOverrides(base, { width: 64, steps: 50 });
    expect(changed.map(([field, value]) => [field.key, value])).toEqual([['steps', 50]]);
  });
});
