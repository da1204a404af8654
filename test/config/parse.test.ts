import { describe, expect, it } from 'vitest';
import { defaultConfig, formatConfigProblems, parseConfig } from '../../src/config/parse';
import { presets } from '../../src/config/presets';

describe('parseConfig', () => {
  it('fills every default from an empty object', () => {
    const result = parseConfig({});
    expect(result).toEqual({ ok: true, config: defaultConfig });
    expect(defaultConfig.version).toBe(1);
    expect(defaultConfig.env).toEqual({ id: 'Pendulum-v1', realParams: {} });
    expect(defaultConfig.model.width).toBe(200);
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
    const result = parseConfig({ version: 2 });
    expect(result).toMatchObject({ ok: false, problems: [{ path: 'version' }] });
  });

  it('formats problems one per line, path first', () => {
    const text = formatConfigProblems([
      { path: 'model.width', message: 'Too big' },
      { path: 'seed', message: 'Expected an integer' },
    ]);
    expect(text).toBe('  model.width: Too big\n  seed: Expected an integer');
  });
});
