/**
 * `npm run bench -- oracle [--episodes 10] [--length 999] [--cem-episodes 3]`
 *
 * What the oracle reaches on the Mountain Cars, in the default world and at each end of every
 * physical parameter's range (the sim-to-real worlds): its return, and how many episodes reach
 * the flag in how many steps. The value-grid oracle (policies/gridOracle.ts) beside the CEM-MPC
 * oracle it replaced on these envs, on the same start states (Gymnasium's reset distribution,
 * seed 0). Prints a markdown table.
 */
import { performance } from 'node:perf_hooks';
import { getEnv } from '../../envs';
import type { EnvId, PhysicalParams } from '../../envs/types';
import {
  ORACLE_SETTINGS,
  runOracle,
  type OracleMethod,
  type StartState,
} from '../../policies/oracle';
import { createRng } from '../../rng';

const ENVS: readonly EnvId[] = ['MountainCarContinuous-v0', 'MountainCar-v0'];

interface Options {
  readonly episodes: number;
  readonly length: number;
  readonly cemEpisodes: number;
}

function parseOptions(args: readonly string[]): Options {
  const options = { episodes: 10, length: 999, 'cem-episodes': 3 };
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i].replace(/^--/, '');
    const value = Number(args[i + 1]);
    if (!(name in options) || !args[i].startsWith('--')) {
      throw new Error(
        `bench oracle: unknown option ${args[i]} (--episodes, --length, --cem-episodes)`,
      );
    }
    if (!Number.isInteger(value) || value < 0) {
      throw new Error(`bench oracle: ${args[i]} needs a whole number, got "${args[i + 1]}"`);
    }
    options[name as keyof typeof options] = value;
  }
  return {
    episodes: options.episodes,
    length: options.length,
    cemEpisodes: options['cem-episodes'],
  };
}

/** The default world, then each ranged parameter at its low and its high end. */
function worlds(envId: EnvId): { name: string; params: PhysicalParams }[] {
  const spec = getEnv(envId).spec;
  const list = [{ name: 'default', params: spec.defaultParams }];
  for (const [param, range] of Object.entries(spec.paramRanges ?? {})) {
    for (const value of range) {
      list.push({ name: `${param} = ${value}`, params: { ...spec.defaultParams, [param]: value } });
    }
  }
  return list;
}

function startStates(envId: EnvId, params: PhysicalParams, count: number): StartState[] {
  const batch = getEnv(envId).createBatch(count, params);
  batch.reset(createRng(0).fork('oracle-bench-starts'));
  return Array.from({ length: count }, (_, i) => ({
    state: batch.states.map((component) => component[i]),
    dtype: batch.stateDtypeAt(i),
  }));
}

function row(
  envId: EnvId,
  world: string,
  method: OracleMethod,
  params: PhysicalParams,
  options: Options,
  episodes: number,
): string {
  const started = performance.now();
  const run = runOracle(
    envId,
    params,
    startStates(envId, params, episodes),
    { ...ORACLE_SETTINGS, episodeLength: options.length, method },
    createRng(0).fork('oracle'),
  );
  const seconds = (performance.now() - started) / 1000;
  const reached = run.terminatedAfter.filter((steps): steps is number => steps !== null);
  const steps =
    reached.length === 0
      ? '–'
      : `${(reached.reduce((a, b) => a + b, 0) / reached.length).toFixed(0)} (${Math.min(...reached)}–${Math.max(...reached)})`;
  return `| ${envId} | ${world} | ${method} | ${run.meanReturn.toFixed(2)} | ${Math.min(...run.returns).toFixed(2)} | ${reached.length} of ${episodes} | ${steps} | ${seconds.toFixed(1)} |`;
}

export async function run(args: string[]): Promise<void> {
  const options = parseOptions(args);
  console.log(
    `episodes of up to ${options.length} steps from Gymnasium's reset distribution (seed 0)\n`,
  );
  console.log(
    '| env | world | oracle | mean return | worst return | reached the flag | steps to the flag, mean (range) | seconds |',
  );
  console.log('|---|---|---|---:|---:|---:|---|---:|');
  for (const envId of ENVS) {
    for (const world of worlds(envId)) {
      console.log(row(envId, world.name, 'valueGrid', world.params, options, options.episodes));
    }
    if (options.cemEpisodes > 0) {
      console.log(
        row(
          envId,
          'default',
          'cem',
          getEnv(envId).spec.defaultParams,
          options,
          options.cemEpisodes,
        ),
      );
    }
  }
}
