/**
 * The sweep command: a grid file read into runs (configs × seeds, in one order every machine
 * agrees on), shards that partition them, resumable results files, and the table that merges a
 * sweep's directory.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseGrid, runPath, runsOfShard, shardFrom, sweepRuns, type Grid } from '../../src/cli/sweepPlan';
import { sweep } from '../../src/cli/sweepRunner';

const grid = (text: object): Grid => {
  const parsed = parseGrid(JSON.stringify(text));
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return parsed.grid;
};

describe('a sweep grid', () => {
  it('is the cross product of its axes × seeds, seeds innermost, each config its link', () => {
    const runs = sweepRuns(grid({ base: '#v=2&preset=exploit', axes: { width: [16, 64], obj: ['mse', 'policyAware'] }, seeds: { from: 200, count: 2 } }));
    expect(runs.map((r) => `${r.config}/${r.seed}`)).toEqual([
      'width=16,obj=mse/200', 'width=16,obj=mse/201', 'width=16,obj=policyAware/200', 'width=16,obj=policyAware/201',
      'width=64,obj=mse/200', 'width=64,obj=mse/201', 'width=64,obj=policyAware/200', 'width=64,obj=policyAware/201',
    ]);
    expect(runs[2].link).toBe('#v=2&preset=exploit&width=16&obj=policyAware');
    expect(runs.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(runPath(runs[3])).toBe('width=16,obj=policyAware/seed-201.json');
  });

  it('crosses named variants (pieces of link) with the axes', () => {
    const runs = sweepRuns(grid({ base: '#v=2', variants: { linear: 'depth=0', '2x64': 'depth=2&width=64' }, axes: { obj: ['mse'] }, seeds: [7] }));
    expect(runs.map((r) => [r.config, r.link])).toEqual([
      ['linear,obj=mse', '#v=2&depth=0&obj=mse'],
      ['2x64,obj=mse', '#v=2&depth=2&width=64&obj=mse'],
    ]);
  });

  it('refuses what it cannot read, by field', () => {
    const bad = parseGrid(JSON.stringify({ base: '#v=2', axes: { width: [] }, seeds: [1], extra: 1 }));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems.join('\n')).toMatch(/axes\.width|extra|Unrecognized/);
    expect(parseGrid('{').ok).toBe(false);
  });

  it('splits into shards that take every run exactly once', () => {
    const runs = sweepRuns(grid({ base: '', axes: { H: [5, 10, 20] }, seeds: [0, 1, 2, 3, 4] }));
    const taken = [0, 1, 2, 3].flatMap((i) => runsOfShard(runs, { index: i, count: 4 }).map((r) => r.index));
    expect(taken.sort((a, b) => a - b)).toEqual(runs.map((r) => r.index));
    expect(runsOfShard(runs, { index: 1, count: 4 }).map((r) => r.index)).toEqual([1, 5, 9, 13]);
  });

  it('takes its shard index from --shard, a Kubernetes indexed Job or a Slurm array', () => {
    expect(shardFrom('2/5', undefined, {})).toEqual({ index: 2, count: 5 });
    expect(shardFrom(undefined, '4', { JOB_COMPLETION_INDEX: '3' })).toEqual({ index: 3, count: 4 });
    expect(shardFrom(undefined, '4', { SLURM_ARRAY_TASK_ID: '1' })).toEqual({ index: 1, count: 4 });
    expect(shardFrom(undefined, undefined, {})).toEqual({ index: 0, count: 1 });
    expect(() => shardFrom('4/4', undefined, {})).toThrow(/does not exist/);
    expect(() => shardFrom(undefined, '4', {})).toThrow(/JOB_COMPLETION_INDEX/);
    expect(() => shardFrom('x', undefined, {})).toThrow(/i\/n/);
  });
});

describe('npm run sweep', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mismatch-lab-sweep-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const gridFile = join(dir, 'grid.json');
  const out = join(dir, 'out');
  writeFileSync(
    gridFile,
    JSON.stringify({
      base: '#v=2&init=100&steps=30&ens=2&width=16&fit=10&mb=32&B=16&H=5&psteps=3&evep=2&evlen=40',
      axes: { obj: ['mse', 'policyAware'] },
      seeds: [200, 201],
      iterations: 1,
    }),
  );
  const files = () => readdirSync(out, { recursive: true }).map(String).filter((f) => f.endsWith('.json')).sort();

  it('runs its shards into one results file per run, skips finished runs, and merges into one table', async () => {
    expect(await sweep(['--grid', gridFile, '--out', out, '--shard', '0/2'], {})).toBe(0);
    expect(files()).toEqual(['obj=mse/seed-200.json', 'obj=policyAware/seed-200.json']);
    expect(await sweep(['--grid', gridFile, '--out', out, '--shards', '2'], { SLURM_ARRAY_TASK_ID: '1' })).toBe(0);
    expect(files()).toHaveLength(4);
    const before = statSync(join(out, 'obj=mse/seed-200.json')).mtimeMs;
    expect(await sweep(['--grid', gridFile, '--out', out], {})).toBe(0);
    expect(statSync(join(out, 'obj=mse/seed-200.json')).mtimeMs).toBe(before);
    const table = execFileSync('npx', ['tsx', 'src/cli/table.ts', '--dir', out, '--baseline', 'obj=mse'], { encoding: 'utf8' });
    // The first block: one row per config, its seed count beside it.
    const rows = table.split('\n\n')[0].split('\n').filter((line) => line.startsWith('| obj='));
    expect(rows.map((row) => row.split('|')[1].trim())).toEqual(['obj=mse', 'obj=policyAware']);
    expect(rows.every((row) => row.split('|')[2].trim() === '2')).toBe(true);
  }, 180_000);

  it('refuses a grid it cannot read, and a shard that does not exist, before running anything', async () => {
    writeFileSync(join(dir, 'bad.json'), '{"base": 3}');
    expect(await sweep(['--grid', join(dir, 'bad.json'), '--out', out], {})).toBe(2);
    expect(await sweep(['--grid', gridFile, '--out', out, '--shard', '2/2'], {})).toBe(2);
    expect(await sweep(['--grid', gridFile], {})).toBe(2);
  });
});
