import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/parse';
import { buildLabOutput } from '../../src/exportFile';
import { objectivesTable, pairsVersus, perSeedTable } from '../../src/cli/objectivesTable';
import type { IterationReport } from '../../src/report';
import { report } from '../fixtures/report';

/** A run of two iterations whose last report has the given strategic error and real return. */
function run(
  seed: number,
  strategic: number,
  real: number,
): { seed: number; reports: IterationReport[] } {
  const last = report(1);
  return {
    seed,
    reports: [
      report(0),
      {
        ...last,
        returns: { ...last.returns, real },
        modelError: { ...last.modelError, strategic },
      },
    ],
  };
}

describe('objectivesTable', () => {
  const baseline = buildLabOutput(defaultConfig, null, [run(0, 0.4, -1200), run(1, 0.6, -150)]);
  const better = buildLabOutput(defaultConfig, null, [
    run(0, 0.2, -150),
    run(1, 0.2, -150),
    run(7, 0.1, -150),
  ]);
  const table = objectivesTable([
    { name: 'mse', output: baseline },
    { name: 'policyAware', output: better },
  ]);

  it('gives each file a row of last-iteration means ± 95 % intervals over its seeds', () => {
    const rows = table
      .split('\n')
      .filter((line) => line.startsWith('| mse |') || line.startsWith('| policyAware |'));
    // mse: strategic 0.4 and 0.6 → 0.5 ± t₁·s/√2 = 12.706·0.1414/1.414 = 1.27; normalised (−1200 → 0, −150 → 1).
    expect(rows[0]).toMatch(/^\| mse \| 2 \| 0\.5 ± 1\.3 \| /);
    expect(rows[0]).toContain('| 0.5 ± 6.4 |');
    expect(rows[1]).toMatch(/^\| policyAware \| 3 \| 0\.167 ± /);
    // Wall seconds: the fixture's iterations take 0.5 s each, two per run.
    expect(rows[0].trim().endsWith('| 1 ± 0 |')).toBe(true);
  });

  it('pairs the strategic-error ratio by seed, leaving out seeds the baseline did not run', () => {
    const ratio = table.split('\n').find((line) => line.startsWith('| policyAware | 2 |'));
    // seed 0: 0.4/0.2 = 2, seed 1: 0.6/0.2 = 3 → 2.5
    expect(ratio).toMatch(/^\| policyAware \| 2 \| 2\.5 ± /);
  });

  it('refuses an empty list', () => {
    expect(() => objectivesTable([])).toThrow(/no lab output/);
  });
});

describe('pairs in a sweep', () => {
  it('pairs each config with the one that differs only in KEY=VALUE, leaving out the unpaired', () => {
    const names = [
      '1x16,obj=mse',
      '1x16,obj=policyAware',
      '2x64,obj=mnm',
      '2x64,obj=mse',
      '2x64,obj=policyAware',
      '3x3,obj=policyAware',
    ];
    expect(pairsVersus(names, 'obj=mse')).toEqual([
      { row: '1x16,obj=policyAware', baseline: '1x16,obj=mse' },
      { row: '2x64,obj=mnm', baseline: '2x64,obj=mse' },
      { row: '2x64,obj=policyAware', baseline: '2x64,obj=mse' },
    ]);
  });

  it('pairs by variant: each config with the named variant at the same axis values', () => {
    const names = ['mse,width=16', 'mse,width=32', 'mnm,width=16', 'policyAware,width=32'];
    expect(pairsVersus(names, 'mse')).toEqual([
      { row: 'mnm,width=16', baseline: 'mse,width=16' },
      { row: 'policyAware,width=32', baseline: 'mse,width=32' },
    ]);
  });

  it('gives the ratio its geometric mean and interval, and the median gaps’ ratio', () => {
    const mse = buildLabOutput(defaultConfig, null, [run(0, 0.4, -1200), run(1, 0.6, -150)]);
    const policyAware = buildLabOutput(defaultConfig, null, [run(0, 0.2, -150), run(1, 0.2, -150)]);
    const table = objectivesTable(
      [
        { name: 'a,obj=mse', output: mse },
        { name: 'a,obj=policyAware', output: policyAware },
      ],
      [{ row: 'a,obj=policyAware', baseline: 'a,obj=mse' }],
    );
    const line = table.split('\n').find((l) => l.startsWith('| a,obj=policyAware | 2 | 2.5'));
    // Ratios 2 and 3: arithmetic 2.5, geometric √6 = 2.449; the same report's gaps: ratio 1.
    expect(line).toMatch(/\| 2 \| 2\.5 ± [\d.]+ \| 2\.45 \([\d.]+ … [\d.]+\) \| 1 \|$/);
  });
});

describe('perSeedTable', () => {
  it('prints each output’s last-iteration value per seed, a dash where a seed did not run', () => {
    const mse = buildLabOutput(defaultConfig, null, [run(0, 0.4, -1200), run(1, 0.6, -150)]);
    const other = buildLabOutput(defaultConfig, null, [run(1, 0.2, -95.25)]);
    const table = perSeedTable(
      [
        { name: 'mse', output: mse },
        { name: 'other', output: other },
      ],
      'real',
    ).split('\n');
    expect(table).toContain('| objective | seed 0 | seed 1 |');
    expect(table).toContain('| mse | -1200 | -150 |');
    expect(table).toContain('| other | – | -95.3 |');
    expect(perSeedTable([{ name: 'mse', output: mse }], 'strategic')).toContain(
      '| mse | 0.4 | 0.6 |',
    );
  });
});
