/**
 * A sweep's grid file read into its runs, and the runs a shard takes. The grid names a base link
 * (the app's, so every config is one a learner can open), axes of link keys with their values,
 * the seeds and the iterations:
 *
 *   { "base": "#v=2&preset=exploit", "axes": { "width": [16, 64], "obj": ["mse", "policyAware"] },
 *     "seeds": { "from": 200, "count": 10 }, "iterations": 20 }
 *
 * and, for settings that are no product of axes, named variants (each a piece of link) crossed
 * with the axes: `"variants": { "linear": "depth=0", "2x64": "depth=2&width=64" }`.
 *
 * Runs are the cross product configs × seeds, in a fixed order (axes as written, seeds
 * innermost), so every machine of a cluster numbers them alike; shard i of n takes runs i,
 * i + n, i + 2n, …
 */
import { z } from 'zod';

const gridSchema = z
  .object({
    /** The app's link every config starts from ('#' optional). */
    base: z.string(),
    /** Link keys (src/config/knobs.ts) and the values each takes; the configs are their product. */
    axes: z
      .record(
        z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/),
        z.array(z.union([z.string(), z.number()])).min(1),
      )
      .default({}),
    /** Named pieces of link (`key=value&…`), each a config crossed with the axes. */
    variants: z.record(z.string().regex(/^[A-Za-z0-9._-]+$/), z.string()).optional(),
    seeds: z.union([
      z.array(z.number().int().min(0)).min(1),
      z.object({ from: z.number().int().min(0), count: z.number().int().min(1).max(10_000) }),
    ]),
    iterations: z.number().int().min(1).max(10_000).optional(),
  })
  .strict();

export type Grid = z.infer<typeof gridSchema>;

export interface SweepRun {
  /** Its position in the sweep's order. */
  readonly index: number;
  /** The config's name: its axis values, `key=value` joined by commas ('base' with no axes). */
  readonly config: string;
  /** The link it runs. */
  readonly link: string;
  readonly seed: number;
}

export function parseGrid(
  text: string,
): { ok: true; grid: Grid } | { ok: false; problems: string[] } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      problems: [`not JSON: ${error instanceof Error ? error.message : String(error)}`],
    };
  }
  const result = gridSchema.safeParse(data);
  if (result.success) return { ok: true, grid: result.data };
  return {
    ok: false,
    problems: result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(grid)'}: ${issue.message}`,
    ),
  };
}

export function sweepRuns(grid: Grid): SweepRun[] {
  const base = grid.base.replace(/^#/, '');
  const seeds = Array.isArray(grid.seeds)
    ? grid.seeds
    : Array.from({ length: grid.seeds.count }, (_, i) => (grid.seeds as { from: number }).from + i);
  let configs: { name: string[]; keys: [string, string][] }[] =
    grid.variants === undefined
      ? [{ name: [], keys: [] }]
      : Object.entries(grid.variants).map(([name, piece]) => ({
          name: [name],
          keys: piece
            .replace(/^[#&]/, '')
            .split('&')
            .filter((pair) => pair !== '')
            .map((pair) => {
              const at = pair.indexOf('=');
              return [pair.slice(0, at), decodeURIComponent(pair.slice(at + 1))] as [
                string,
                string,
              ];
            }),
        }));
  for (const [key, values] of Object.entries(grid.axes)) {
    configs = configs.flatMap((config) =>
      values.map((value) => ({
        name: [...config.name, `${key}=${value}`],
        keys: [...config.keys, [key, String(value)] as [string, string]],
      })),
    );
  }
  const runs: SweepRun[] = [];
  for (const config of configs) {
    const link = `#${[base, ...config.keys.map(([key, value]) => `${key}=${encodeURIComponent(value)}`)].filter((part) => part !== '').join('&')}`;
    for (const seed of seeds) {
      runs.push({
        index: runs.length,
        config: config.name.length === 0 ? 'base' : config.name.join(','),
        link,
        seed,
      });
    }
  }
  return runs;
}

export interface Shard {
  readonly index: number;
  readonly count: number;
}

/**
 * `--shard i/n`, or `--shards n` with the index from Kubernetes' indexed Job
 * (JOB_COMPLETION_INDEX) or a Slurm array (SLURM_ARRAY_TASK_ID); neither: the whole sweep.
 */
export function shardFrom(
  shard: string | undefined,
  shards: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Shard {
  const integer = (text: string, what: string) => {
    if (!/^\d+$/.test(text)) throw new Error(`${what} must be a whole number, got "${text}"`);
    return Number(text);
  };
  let index: number;
  let count: number;
  if (shard !== undefined) {
    const match = /^(\d+)\/(\d+)$/.exec(shard);
    if (match === null) throw new Error(`--shard takes i/n (e.g. 0/4), got "${shard}"`);
    [index, count] = [Number(match[1]), Number(match[2])];
  } else if (shards !== undefined) {
    count = integer(shards, '--shards');
    const fromEnv = env.JOB_COMPLETION_INDEX ?? env.SLURM_ARRAY_TASK_ID;
    if (fromEnv === undefined)
      throw new Error(
        '--shards needs the shard index: --shard i/n, JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID',
      );
    index = integer(fromEnv, 'the shard index');
  } else {
    return { index: 0, count: 1 };
  }
  if (count < 1 || index >= count)
    throw new Error(`shard ${index} of ${count} does not exist (0 ≤ i < n)`);
  return { index, count };
}

export function runsOfShard(runs: readonly SweepRun[], shard: Shard): SweepRun[] {
  return runs.filter((run) => run.index % shard.count === shard.index);
}

/** Where a run's results go under the sweep's directory: one folder per config, a file per seed. */
export function runPath(run: SweepRun): string {
  const folder = run.config.replace(/[^A-Za-z0-9=,._-]/g, '_');
  return `${folder}/seed-${run.seed}.json`;
}
