/**
 * `npm run bench -- model [--backend wasm|cpu] [--activations relu,tanh] [--repeats 5]
 *                         [--rollouts 1024] [--horizon 32] [--layouts yes|no] [--clock cpu|wall]`
 * `npm run bench -- model --browser chromium`   (the same in headless Chromium: WASM, WebGPU, WebGL)
 *
 * The world model's speed on the workload of the issue: E = 5 members of two hidden layers of
 * 200, Pendulum-v1 (3-D observation, 1-D action), B = 1024 start states × 5 members, horizon 32,
 * a random policy. Prints imagined member-transitions/s, the fused-matMul ceiling and the
 * rollout's efficiency against it, training samples/s at minibatch 256, and the layouts measured
 * side by side (the measurement behind layout.ts's defaults).
 *
 * Times are this process's CPU time by default (`--clock wall` for wall time): tfjs-wasm runs on
 * one thread, so on an idle machine both agree, and on a shared one only CPU time is not
 * inflated by other processes' work.
 */
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { ACTIVATIONS, type Activation } from '../../models/activation';
import {
  BENCHMARK_DEFAULTS,
  benchmarkBuffer,
  benchmarkRollout,
  benchmarkTraining,
  type ModelBenchmarkSettings,
  type RolloutBenchmark,
} from '../../models/benchmark';
import { LAYOUT_CANDIDATES } from '../../models/calibration';

interface Options {
  readonly browser: boolean;
  readonly clock: 'cpu' | 'wall';
  readonly backend: 'wasm' | 'cpu';
  readonly activations: Activation[];
  readonly settings: ModelBenchmarkSettings;
  readonly layouts: boolean;
}

function parseOptions(args: readonly string[]): Options {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    if (!args[i].startsWith('--') || args[i + 1] === undefined) {
      throw new Error(`bench model: expected --flag value pairs, got "${args.slice(i).join(' ')}"`);
    }
    values.set(args[i].slice(2), args[i + 1]);
  }
  for (const name of values.keys()) {
    if (!['backend', 'activations', 'repeats', 'rollouts', 'horizon', 'layouts', 'browser', 'clock'].includes(name)) {
      throw new Error(`bench model: unknown option --${name}`);
    }
  }
  const integer = (name: string, fallback: number) => {
    const value = Number(values.get(name) ?? fallback);
    if (!Number.isInteger(value) || value < 1) throw new Error(`bench model: --${name} must be a positive integer`);
    return value;
  };
  const backend = values.get('backend') ?? 'wasm';
  if (backend !== 'wasm' && backend !== 'cpu') throw new Error('bench model: --backend is wasm or cpu in Node');
  const activations = (values.get('activations') ?? 'relu,tanh').split(',').map((name) => {
    const found = ACTIVATIONS.find((activation) => activation === name);
    if (found === undefined) throw new Error(`bench model: unknown activation "${name}" (${ACTIVATIONS.join(', ')})`);
    return found;
  });
  const browser = values.get('browser');
  if (browser !== undefined && browser !== 'chromium') throw new Error('bench model: --browser takes "chromium"');
  const clock = values.get('clock') ?? 'cpu';
  if (clock !== 'cpu' && clock !== 'wall') throw new Error('bench model: --clock is cpu or wall');
  return {
    browser: browser !== undefined,
    clock,
    backend,
    activations,
    layouts: (values.get('layouts') ?? 'yes') === 'yes',
    settings: {
      ...BENCHMARK_DEFAULTS,
      repeats: integer('repeats', BENCHMARK_DEFAULTS.repeats),
      rollouts: integer('rollouts', BENCHMARK_DEFAULTS.rollouts),
      horizon: integer('horizon', BENCHMARK_DEFAULTS.horizon),
    },
  };
}

/** This process's CPU time (user + system), in ms. */
function cpuMilliseconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

const thousands = (value: number) => `${Math.round(value / 1000).toLocaleString('en-US')} k`;
const percent = (value: number) => `${(100 * value).toFixed(0)} %`;
const layoutName = (result: { layout: { members: string; transposes: string } }) =>
  `${result.layout.members}/${result.layout.transposes}`;

export async function run(args: string[]): Promise<void> {
  const options = parseOptions(args);
  if (options.browser) return runInChromium(options.settings);
  const { settings } = options;
  const clock = options.clock === 'cpu' ? cpuMilliseconds : () => performance.now();
  await tf.setBackend(options.backend);
  await tf.ready();
  const [loadBefore] = loadavg();
  console.log(
    `World model on ${options.backend} in Node ${process.version}, ${cpus().length} cores, load average ` +
      `${loadBefore.toFixed(2)}, ${new Date().toISOString().slice(0, 10)}: E=${settings.members}, ` +
      `${settings.hiddenLayers}×${settings.hiddenUnits}, ${settings.envId}, B=${settings.rollouts} start states ` +
      `(member '${settings.member}': E·B trajectories), H=${settings.horizon}, random policy; ` +
      `best of ${settings.repeats} repeats, each after a ceiling burst (src/models/benchmark.ts says why), ` +
      `${options.clock === 'cpu' ? 'process CPU time' : 'wall time'}.`,
  );
  const buffer = benchmarkBuffer(settings.envId, 4096);

  const rollouts: RolloutBenchmark[] = [];
  for (const activation of options.activations) rollouts.push(await benchmarkRollout(activation, buffer, settings, clock));
  console.log('');
  console.log('| activation | layout | member-transitions/s | rollout GFLOP/s | ceiling GFLOP/s (fused kernel) | efficiency |');
  console.log('|---|---|---:|---:|---:|---:|');
  for (const r of rollouts) {
    console.log(
      `| ${r.activation} | ${layoutName(r)} | ${thousands(r.memberTransitionsPerSecond)} | ${r.achievedGflops.toFixed(1)} | ` +
        `${r.ceilingGflops.toFixed(1)} (${r.ceilingActivation}) | ${percent(r.efficiency)} |`,
    );
  }
  console.log('');
  for (const r of rollouts) {
    console.log(
      `${r.activation}: ${Math.round(r.memberTransitionsPerSecond).toLocaleString('en-US')} member-transitions/s ` +
        `(${r.flopsPerMemberTransition.toLocaleString('en-US')} FLOP each, ${r.secondsPerRollout.toFixed(3)} s per rollout)`,
    );
    console.log(
      `${r.activation}: efficiency ${percent(r.efficiency)} of the ceiling, tf.fused.matMul ` +
        `[${settings.rollouts}, ${settings.hiddenUnits}] × [${settings.hiddenUnits}, ${settings.hiddenUnits}] + bias + ` +
        `${r.ceilingActivation} at ${r.ceilingGflops.toFixed(1)} GFLOP/s`,
    );
  }

  const training = await benchmarkTraining(options.activations[0], buffer, settings, 256, 30, clock);
  console.log(
    `training (${options.activations[0]}, ${layoutName(training)}): ${Math.round(training.samplesPerSecond).toLocaleString('en-US')} ` +
      `samples/s at minibatch ${training.batchSize} per member (${training.stepsPerSecond.toFixed(1)} steps/s × ` +
      `${settings.members} members × ${training.batchSize})`,
  );

  if (options.layouts) {
    console.log('');
    console.log(`Layouts on ${options.backend} (${options.activations[0]}; rollouts at H=4, one repeat; training 10 steps):`);
    console.log('');
    console.log('| layout | rollout member-transitions/s | training samples/s |');
    console.log('|---|---:|---:|');
    for (const layout of LAYOUT_CANDIDATES) {
      const short = { ...settings, horizon: 4, repeats: 1, layout };
      const rollout = await benchmarkRollout(options.activations[0], buffer, short, clock);
      const train = await benchmarkTraining(options.activations[0], buffer, { ...short, repeats: 1 }, 256, 10, clock);
      console.log(`| ${layoutName(rollout)} | ${thousands(rollout.memberTransitionsPerSecond)} | ${thousands(train.samplesPerSecond)} |`);
    }
  }
  console.log('');
  console.log(`load average after: ${loadavg()[0].toFixed(2)}`);
}

/**
 * The rollout benchmark in headless Chromium. WASM runs the full workload; WebGPU and WebGL run
 * on SwiftShader (a CPU emulation, ~0.1 GFLOP/s here), recorded for correctness rather than
 * speed, so they run a shorter horizon and a single repeat.
 */
async function runInChromium(settings: ModelBenchmarkSettings): Promise<void> {
  const { launchBenchChromium, openModelPage, startModelPageServer } = await import('./modelPage');
  const server = await startModelPageServer();
  const context = await launchBenchChromium(true);
  const [loadBefore] = loadavg();
  const version = context.browser()?.version() ?? 'Chromium';
  console.log(`World model in headless ${version} (${cpus().length} cores, load average ${loadBefore.toFixed(2)}), relu, ${settings.envId}, E=${settings.members}, ${settings.hiddenLayers}×${settings.hiddenUnits}:`);
  console.log('');
  console.log('| backend | layout | workload | member-transitions/s | rollout GFLOP/s | ceiling GFLOP/s | efficiency | training samples/s |');
  console.log('|---|---|---|---:|---:|---:|---:|---:|');
  const layoutLines: string[] = [];
  try {
    for (const backend of ['wasm', 'webgpu', 'webgl'] as const) {
      const page = await openModelPage(context, server.url);
      const emulated = backend !== 'wasm';
      const reduced = emulated ? { horizon: 2, repeats: 1 } : { horizon: settings.horizon, repeats: settings.repeats };
      const result = await page.evaluate(
        ([name, overrides, steps]) => window.modelPage.bench(name, overrides, steps),
        [backend, { ...settings, ...reduced }, emulated ? 2 : 20] as const,
      );
      const r = result.rollout;
      console.log(
        `| ${backend} | ${layoutName(r)} | B=${settings.rollouts}, H=${reduced.horizon}, ${reduced.repeats} repeat(s) | ` +
          `${Math.round(r.memberTransitionsPerSecond).toLocaleString('en-US')} | ${r.achievedGflops.toFixed(2)} | ` +
          `${r.ceilingGflops.toFixed(2)} | ${percent(r.efficiency)} | ${Math.round(result.training.samplesPerSecond).toLocaleString('en-US')} |`,
      );
      const measured = await page.evaluate(([name]) => window.modelPage.layouts(name, { rollouts: 256, horizon: 2, batchSize: 256 }), [backend] as const);
      layoutLines.push(
        `${backend}: ${measured.timings.map((t) => `${t.layout.members}/${t.layout.transposes} ${t.ms.toFixed(0)} ms`).join(', ')} → ` +
          `${measured.fastest.members}/${measured.fastest.transposes}`,
      );
    }
  } finally {
    await context.close();
    await server.close();
  }
  console.log('');
  console.log('Layouts measured in the page (one fit step at minibatch 256 + a rollout of B=256, H=2, per layout):');
  for (const line of layoutLines) console.log(`- ${line}`);
  const stepServer = await startModelPageServer();
  try {
    await gradientStepTable(stepServer.url);
  } finally {
    await stepServer.close();
  }
}

/**
 * Compute dispatches (WebGPU) or tfjs kernels (WASM, WebGL) per imagined gradient step, per whole
 * improve step (the gradient, the policy's AdamW, the critic's TD(λ) step) and per fit step, at
 * the default config's sizes, on each path: the figure that holds on any GPU. The ms are this
 * machine's (SwiftShader's WebGPU and WebGL: correctness runs, not speeds).
 */
async function gradientStepTable(url: string): Promise<void> {
  const { launchBenchChromium, openModelPage } = await import('./modelPage');
  const context = await launchBenchChromium(true);
  const rows: string[] = [];
  let adapter: string | null = null;
  try {
    const runs = [
      ['wasm', true],
      ['webgpu', true],
      ['webgpu', false],
      ['webgl', true],
    ] as const;
    for (const [backend, onlyEngine] of runs) {
      const page = await openModelPage(context, url);
      const r = await page.evaluate(([name, engine]) => window.modelPage.gradientStep(name, engine), [backend, onlyEngine] as const);
      const gpu = backend === 'webgpu';
      adapter = r.adapter ?? adapter;
      const count = (dispatches: number, kernels: number) =>
        gpu ? `${Math.round(dispatches).toLocaleString('en-US')} dispatches` : `${Math.round(kernels).toLocaleString('en-US')} kernels`;
      rows.push(
        `| ${backend} | ${r.path === 'fused-webgpu' ? 'fused WGSL' : 'engine on tfjs kernels'} | R=${r.rollouts}, H=${r.horizon} | ` +
          `${count(r.dispatches, r.kernels)} | ${count(r.improveDispatches, r.improveKernels)} | ${count(r.fitDispatches, r.fitKernels)} | ${r.msPerStep.toFixed(1)} |`,
      );
      await page.close();
    }
  } finally {
    await context.close();
  }
  console.log('');
  console.log(`Imagined gradient step at the default config (Pendulum-v1, 3 members of 2×64, policy and critic 2×64); WebGPU adapter: ${adapter ?? 'none'}:`);
  console.log('');
  console.log('| backend | path | workload | per imagined gradient step | per improve step (+ Adam, critic) | per fit step | ms per gradient step |');
  console.log('|---|---|---|---:|---:|---:|---:|');
  for (const row of rows) console.log(row);
}
