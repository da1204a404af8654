/**
 * `npm run bench -- envs [--sizes 1,1024,16384] [--envs ID,...] [--repeats 5] [--seconds 0.2]`
 *
 * Env-steps per second of each batched env: random actions drawn before timing, finished envs
 * reset inside the timed loop (as a training loop would), a warm-up so the JIT has optimised the
 * step, then the median of several timed repeats. Prints a markdown table.
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { ENV_IDS, getEnv, isEnvId } from '../../envs';
import type { BatchedEnv, EnvId } from '../../envs/types';
import { median } from '../../metrics/aggregate';
import { createRng, type Rng } from '../../rng';

interface Options {
  readonly sizes: readonly number[];
  readonly envIds: readonly EnvId[];
  readonly repeats: number;
  readonly secondsPerRepeat: number;
  readonly warmUpSeconds: number;
}

function parseOptions(args: readonly string[]): Options {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    const flag = args[i];
    const value = args[i + 1];
    if (!flag.startsWith('--') || value === undefined) {
      throw new Error(`bench envs: expected --flag value pairs, got "${args.slice(i).join(' ')}"`);
    }
    values.set(flag.slice(2), value);
  }
  const known = new Set(['sizes', 'envs', 'repeats', 'seconds']);
  for (const name of values.keys()) {
    if (!known.has(name)) throw new Error(`bench envs: unknown option --${name}`);
  }
  const positiveNumber = (name: string, fallback: number, integer: boolean): number => {
    const text = values.get(name);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!(value > 0) || (integer && !Number.isInteger(value))) {
      throw new Error(`bench envs: --${name} must be a positive ${integer ? 'integer' : 'number'}`);
    }
    return value;
  };
  const sizes = (values.get('sizes') ?? '1,1024,16384').split(',').map((text) => {
    const size = Number(text);
    if (!Number.isInteger(size) || size < 1)
      throw new Error(`bench envs: bad batch size "${text}"`);
    return size;
  });
  const envIds = (values.get('envs') ?? ENV_IDS.join(',')).split(',').map((id) => {
    if (!isEnvId(id))
      throw new Error(`bench envs: unknown env "${id}" (known: ${ENV_IDS.join(', ')})`);
    return id;
  });
  const secondsPerRepeat = positiveNumber('seconds', 0.2, false);
  return {
    sizes,
    envIds,
    repeats: positiveNumber('repeats', 5, true),
    secondsPerRepeat,
    warmUpSeconds: Math.max(0.3, secondsPerRepeat),
  };
}

/** Enough distinct action batches that the loop does not replay one, at most ~8 MB of them. */
function drawActionBatches(env: BatchedEnv, rng: Rng): Float64Array[] {
  const count = Math.max(4, Math.min(256, Math.floor(2 ** 20 / env.size)));
  const space = env.spec.actionSpace;
  return Array.from({ length: count }, () => {
    const actions = new Float64Array(env.size);
    for (let i = 0; i < env.size; i++) {
      actions[i] = space.kind === 'box' ? rng.uniform(space.low, space.high) : rng.int(space.n);
    }
    return actions;
  });
}

/** Steps for at least `seconds`; returns env-steps per second. */
function timeSteps(
  env: BatchedEnv,
  actionBatches: readonly Float64Array[],
  rng: Rng,
  seconds: number,
) {
  // Read the clock every ~64k env-steps so timing costs nothing measurable.
  const stepsPerClockRead = Math.max(1, Math.floor(65536 / env.size));
  const { terminated, truncated, size } = env;
  let steps = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < seconds * 1000) {
    for (let s = 0; s < stepsPerClockRead; s++) {
      env.step(actionBatches[steps % actionBatches.length]);
      for (let i = 0; i < size; i++) {
        if ((terminated[i] | truncated[i]) !== 0) env.resetAt(i, rng);
      }
      steps += 1;
    }
    elapsed = performance.now() - start;
  }
  return (steps * size) / (elapsed / 1000);
}

function measure(envId: EnvId, size: number, options: Options): number {
  const rng = createRng(1).fork(`bench-${envId}-${size}`);
  const env = getEnv(envId).createBatch(size);
  env.reset(rng);
  const actionBatches = drawActionBatches(env, rng);
  timeSteps(env, actionBatches, rng, options.warmUpSeconds);
  const rates = Array.from({ length: options.repeats }, () =>
    timeSteps(env, actionBatches, rng, options.secondsPerRepeat),
  );
  return median(rates);
}

/**
 * The floor under Pendulum's rate: an exact step needs cos and sin of the new angle for its
 * observation (the sine is reused by the next step). Nanoseconds per Math.sin + Math.cos pair on
 * angles a pendulum visits, in the same timing scheme as the envs.
 */
function measureTrigPair(options: Options): number {
  const rng = createRng(2).fork('bench-trig');
  const angles = new Float64Array(4096).map(() => rng.uniform(-3 * Math.PI, 3 * Math.PI));
  const sink = new Float64Array(angles.length);
  const timePairs = (seconds: number): number => {
    let pairs = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < seconds * 1000) {
      for (let i = 0; i < angles.length; i++) sink[i] = Math.sin(angles[i]) + Math.cos(angles[i]);
      pairs += angles.length;
      elapsed = performance.now() - start;
    }
    return (elapsed * 1e6) / pairs;
  };
  timePairs(options.warmUpSeconds);
  return median(Array.from({ length: options.repeats }, () => timePairs(options.secondsPerRepeat)));
}

function formatRate(stepsPerSecond: number): string {
  const millions = stepsPerSecond / 1e6;
  return millions >= 10 ? millions.toFixed(1) : millions.toPrecision(3);
}

export async function run(args: string[]): Promise<void> {
  const options = parseOptions(args);
  // Other work on the machine shows up directly in these rates, so the table says how busy it was.
  const [load] = loadavg();
  console.log(
    `env-steps/s in millions, median of ${options.repeats} × ${options.secondsPerRepeat} s ` +
      `after ${options.warmUpSeconds} s warm-up; Node ${process.version}, ${cpus().length} cores, ` +
      `load average ${load.toFixed(2)}, ${new Date().toISOString().slice(0, 10)}`,
  );
  console.log('');
  console.log(`| env | ${options.sizes.map((size) => `batch ${size}`).join(' | ')} |`);
  console.log(`|---|${options.sizes.map(() => '---:').join('|')}|`);
  for (const envId of options.envIds) {
    const cells = options.sizes.map((size) => formatRate(measure(envId, size, options)));
    console.log(`| ${envId} | ${cells.join(' | ')} |`);
  }
  if (options.envIds.includes('Pendulum-v1')) {
    const nanoseconds = measureTrigPair(options);
    console.log('');
    console.log(
      `One Math.sin + Math.cos pair on angles in ±3π: ${nanoseconds.toFixed(1)} ns, so a Pendulum ` +
        `step (which needs both) cannot exceed ${(1e3 / nanoseconds).toFixed(1)} million/s here.`,
    );
  }
}
