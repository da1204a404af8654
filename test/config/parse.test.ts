import { describe, expect, it } from 'vitest';
import { defaultConfig, formatConfigProblems, parseConfig } from '../../src/config/parse';
import { presets } from '../../src/config/presets';

describe('parseConfig', () => {
  it('fills every default from an empty object', () => {
    const result = parseConfig({});
    expect(result).toEqual({ ok: true, config: defaultConfig });
    expect(defaultConfig.version).toBe(2);
    expect(defaultConfig.env).toEqual({ id: 'Pendulum-v1', realParams: {} });
    expect(defaultConfig.model.width).toBe(64);
  });

  it('parses every preset', () => {
    for (const [name, preset] of Object.entries(presets)) {
      expect(parseConfig(preset.config).ok, name).toBe(true);
    }
  });

  it('reports every problem, each by its dotted path', () => {
    const result = parseConfig({
      seed: 1.5,
      model: { width: 9999, activation: 'swish' },
      data: { holdoutFraction: -1 },
      env: { realParams: { g: 'heavy' } },
      objective: { kind: 'mse', colour: 'red' },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const paths = result.problems.map((problem) => problem.path).sort();
    expect(paths).toEqual([
      'data.holdoutFraction',
      'env.realParams.g',
      'model.activation',
      'model.width',
      'objective',
      'seed',
    ]);
    for (const problem of result.problems) expect(problem.message.length).toBeGreaterThan(0);
    const unknownKey = result.problems.find((problem) => problem.path === 'objective');
    expect(unknownKey?.message).toContain('colour');
  });

  it('names the whole config when the input is not an object', () => {
    for (const input of [null, 'v=1', 42, []]) {
      const result = parseConfig(input);
      expect(result).toEqual({
        ok: false,
        problems: [expect.objectContaining({ path: '(config)' })],
      });
    }
  });

  it('refuses a version it does not know', () => {
    const result = parseConfig({ version: 3 });
    expect(result).toMatchObject({ ok: false, problems: [{ path: 'version' }] });
  });

  it('reads a version-1 config with version 1’s defaults where it says nothing', () => {
    const result = parseConfig({ version: 1, seed: 4, model: { width: 32 } });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.config.version).toBe(2);
    expect(result.config.seed).toBe(4);
    expect(result.config.model).toMatchObject({ width: 32, ensembleSize: 5, trainStepsPerIteration: 200 });
    expect(result.config.imagination.rollouts).toBe(256);
    expect(result.config.optimiser).toMatchObject({ stepsPerIteration: 50, learningRate: 1e-3 });
    // What it says wins; a section that is not an object is the schema's to refuse.
    const own = parseConfig({ version: 1, model: { ensembleSize: 2 } });
    expect(own.ok && own.config.model.ensembleSize).toBe(2);
    expect(parseConfig({ version: 1, model: 7 }).ok).toBe(false);
  });

  it('formats problems one per line, path first', () => {
    const text = formatConfigProblems([
      { path: 'model.width', message: 'Too big' },
      { path: 'seed', message: 'Expected an integer' },
    ]);
    expect(text).toBe('  model.width: Too big\n  seed: Expected an integer');
  });
});
