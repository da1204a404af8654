/**
 * `npm run sweep -- --grid FILE --out DIR [--shard i/n | --shards n] [--backend wasm|cpu]`
 *
 * Runs a grid of configs × seeds (sweepPlan.ts), one lab run each, writing one results file per
 * run (`DIR/<config>/seed-<s>.json`, the lab's --out format). Resumable: a run whose file exists
 * is skipped, and a file appears only once its run has finished. A shard takes every n-th run
 * from i, so a cluster runs the sweep with its own scheduler: `--shards n` reads i from
 * JOB_COMPLETION_INDEX (a Kubernetes indexed Job) or SLURM_ARRAY_TASK_ID (a Slurm array).
 * `npm run table -- --dir DIR` merges the directory into one table.
 *
 * Exit codes: 0 every run of the shard done; 1 some run failed (the others went on); 2 refused.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { OracleRun } from '../policies/oracle';
import { runLab } from './labRunner';
import { parseGrid, runPath, runsOfShard, shardFrom, sweepRuns } from './sweepPlan';

const USAGE =
  'usage: npm run sweep -- --grid FILE --out DIR [--shard i/n | --shards n] [--backend wasm|cpu]';

export async function sweep(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<number> {
  const options = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (
      !['--grid', '--out', '--shard', '--shards', '--backend'].includes(flag) ||
      value === undefined
    ) {
      console.error(`sweep: unexpected "${argv.slice(i).join(' ')}"\n${USAGE}`);
      return 2;
    }
    options.set(flag.slice(2), value);
  }
  const [gridFile, out] = [options.get('grid'), options.get('out')];
  if (gridFile === undefined || out === undefined) {
    console.error(`sweep: --grid and --out are needed\n${USAGE}`);
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(gridFile, 'utf8');
  } catch (error) {
    console.error(
      `sweep: cannot read ${gridFile}: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 2;
  }
  const parsed = parseGrid(text);
  if (!parsed.ok) {
    console.error(`sweep: ${gridFile}:\n${parsed.problems.map((p) => `  ${p}`).join('\n')}`);
    return 2;
  }
  let shard;
  try {
    shard = shardFrom(options.get('shard'), options.get('shards'), env);
  } catch (error) {
    console.error(`sweep: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  const all = sweepRuns(parsed.grid);
  const mine = runsOfShard(all, shard);
  console.log(
    `sweep: ${all.length} runs in all; shard ${shard.index}/${shard.count} takes ${mine.length}`,
  );
  const oracleCache = new Map<string, OracleRun>();
  const quiet = { out: () => undefined, err: (line: string) => console.error(`  ${line}`) };
  let failed = 0;
  for (const [k, run] of mine.entries()) {
    const file = join(out, runPath(run));
    const label = `run ${k + 1} of ${mine.length} (#${run.index}): ${run.config}, seed ${run.seed}`;
    if (existsSync(file)) {
      console.log(`${label}: done before, skipped`);
      continue;
    }
    mkdirSync(dirname(file), { recursive: true });
    const partial = `${file}.partial`;
    const started = Date.now();
    const args = [
      '--url',
      run.link,
      '--seed',
      String(run.seed),
      '--seeds',
      '1',
      '--out',
      partial,
      '--quiet',
    ];
    if (parsed.grid.iterations !== undefined)
      args.push('--iterations', String(parsed.grid.iterations));
    const backend = options.get('backend');
    if (backend !== undefined) args.push('--backend', backend);
    const result = await runLab(args, quiet, { oracleCache });
    if (result.code === 0 && existsSync(partial)) {
      renameSync(partial, file);
      console.log(`${label}: ${((Date.now() - started) / 1000).toFixed(1)} s → ${file}`);
    } else {
      rmSync(partial, { force: true });
      failed++;
      console.log(`${label}: failed (lab exit ${result.code})`);
    }
  }
  console.log(`sweep: shard ${shard.index}/${shard.count} finished, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}
