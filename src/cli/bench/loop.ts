/**
 * `npm run bench -- loop [--presets exploit,healthy,default] [--iterations 3] [--backends wasm,cpu]`
 *
 * Seconds per iteration of the experiment loop in Node, by phase, for named presets, and the
 * tfjs kernels each phase dispatches (every `engine.runKernel` call, counted by wrapping it): the
 * figure that holds on any machine. The first iteration also builds what is computed once
 * (uniform states, the oracle's run, the random baseline), so the medians are over the later ones.
 *
 *   kernels per imagined gradient step = improve-phase kernels ÷ optimiser.stepsPerIteration
 *     (the policy's and the critic's updates together, and whatever else the phase runs)
 *   kernels per fit step = fit-phase kernels ÷ model.trainStepsPerIteration
 *     (the minibatch steps, and the split evaluations a fit ends with)
 *   estimated s = what the app says before Play (src/config/timeEstimate.ts), for WASM
 */
import { cpus, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../../backend';
import { parseConfig } from '../../config/parse';
import { isPresetName, presets, type PresetName } from '../../config/presets';
import { estimateIterationSeconds } from '../../config/timeEstimate';
import { runExperiment } from '../../experiment';
import type { Phase } from '../../report';

interface Options {
  readonly presetNames: PresetName[];
  readonly iterations: number;
  readonly backends: BackendName[];
}

function parseOptions(args: readonly string[]): Options {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    if (!args[i].startsWith('--') || args[i + 1] === undefined) {
      throw new Error(`bench loop: expected --flag value pairs, got "${args.slice(i).join(' ')}"`);
    }
    values.set(args[i].slice(2), args[i + 1]);
  }
  for (const name of values.keys()) {
    if (!['presets', 'iterations', 'backends'].includes(name)) throw new Error(`bench loop: unknown option --${name}`);
  }
  const presetNames = (values.get('presets') ?? 'exploit,healthy').split(',');
  for (const name of presetNames) {
    if (!isPresetName(name)) throw new Error(`bench loop: unknown preset "${name}" (known: ${Object.keys(presets).join(', ')})`);
  }
  const iterations = Number(values.get('iterations') ?? 3);
  if (!Number.isInteger(iterations) || iterations < 2) throw new Error('bench loop: --iterations must be an integer ≥ 2');
  const backends = (values.get('backends') ?? 'wasm').split(',');
  for (const name of backends) {
    if (name !== 'wasm' && name !== 'cpu') throw new Error(`bench loop: --backends takes wasm and cpu in Node, not "${name}"`);
  }
  return { presetNames: presetNames as PresetName[], iterations, backends: backends as BackendName[] };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Counts `runKernel` calls made from outside a kernel, by the phase under way. */
function countKernels(): { counts: Map<Phase | 'setup', number>; setPhase(phase: Phase | 'setup'): void; stop(): void } {
  const engine = tf.engine() as unknown as { runKernel: (...args: unknown[]) => unknown };
  const original = engine.runKernel;
  const counts = new Map<Phase | 'setup', number>();
  let phase: Phase | 'setup' = 'setup';
  engine.runKernel = function (this: unknown, ...args: unknown[]) {
    counts.set(phase, (counts.get(phase) ?? 0) + 1);
    return original.apply(this, args);
  };
  return {
    counts,
    setPhase: (next) => {
      phase = next;
    },
    stop: () => {
      engine.runKernel = original;
    },
  };
}

export async function run(args: string[]): Promise<void> {
  const { presetNames, iterations, backends } = parseOptions(args);
  console.log(`Node ${process.version}, ${cpus().length} cores, load average ${loadavg()[0].toFixed(2)}; ${iterations} iterations, medians over the last ${iterations - 1}`);
  console.log('| preset | backend | first iteration s | later iteration s (median) | estimated s | improve s | fit s | evaluate s | kernels per imagined gradient step | kernels per fit step |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const backend of backends) {
    await initBackend({ preference: backend });
    for (const name of presetNames) {
      const parsed = parseConfig({ ...presets[name].config, iterations, backend });
      if (!parsed.ok) throw new Error(`preset ${name} does not parse`);
      const config = parsed.config;
      const counter = countKernels();
      const perIteration: { seconds: number; timings: Record<Phase, number>; kernels: Map<Phase | 'setup', number> }[] = [];
      const started = performance.now();
      let firstSeconds = 0;
      try {
        for await (const event of runExperiment(config, { beforePhase: (phase) => counter.setPhase(phase) })) {
          if (event.kind !== 'report') continue;
          if (perIteration.length === 0) firstSeconds = (performance.now() - started) / 1000;
          perIteration.push({ seconds: event.report.seconds, timings: event.report.timings, kernels: new Map(counter.counts) });
          counter.counts.clear();
        }
      } finally {
        counter.stop();
      }
      const later = perIteration.slice(1);
      const seconds = (pick: (r: (typeof later)[number]) => number) => median(later.map(pick)).toFixed(2);
      const kernels = (phase: Phase, steps: number) =>
        steps === 0 ? '–' : Math.round(median(later.map((r) => (r.kernels.get(phase) ?? 0) / steps))).toLocaleString('en-US');
      console.log(
        `| ${name} | ${backend} | ${firstSeconds.toFixed(2)} | ${seconds((r) => r.seconds)} | ${estimateIterationSeconds(config).seconds.toFixed(2)} | ${seconds((r) => r.timings.improve)} | ${seconds((r) => r.timings.fit)} | ${seconds((r) => r.timings.evaluate)} | ${kernels('improve', config.optimiser.stepsPerIteration)} | ${kernels('fit', config.model.trainStepsPerIteration)} |`,
      );
    }
  }
}
