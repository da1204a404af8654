/**
 * `npm run bench -- loop [--presets exploit,healthy] [--iterations 5]`
 *
 * Seconds per iteration of the experiment loop on WASM in node, by phase, for named presets:
 * the figure the speed target is about. The first iteration also builds what is
 * computed once (uniform states, the oracle's run, the random baseline), so it is shown apart.
 */
import { cpus, loadavg } from 'node:os';
import { initBackend } from '../../backend';
import { parseConfig } from '../../config/parse';
import { isPresetName, presets } from '../../config/presets';
import { runExperiment } from '../../experiment';
import type { IterationReport } from '../../report';

function parseOptions(args: readonly string[]): { presetNames: string[]; iterations: number } {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    if (!args[i].startsWith('--') || args[i + 1] === undefined) {
      throw new Error(`bench loop: expected --flag value pairs, got "${args.slice(i).join(' ')}"`);
    }
    values.set(args[i].slice(2), args[i + 1]);
  }
  for (const name of values.keys()) {
    if (name !== 'presets' && name !== 'iterations') throw new Error(`bench loop: unknown option --${name}`);
  }
  const presetNames = (values.get('presets') ?? 'exploit,healthy').split(',');
  for (const name of presetNames) {
    if (!isPresetName(name)) throw new Error(`bench loop: unknown preset "${name}" (known: ${Object.keys(presets).join(', ')})`);
  }
  const iterations = Number(values.get('iterations') ?? 5);
  if (!Number.isInteger(iterations) || iterations < 2) throw new Error('bench loop: --iterations must be an integer ≥ 2');
  return { presetNames, iterations };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function run(args: string[]): Promise<void> {
  const { presetNames, iterations } = parseOptions(args);
  const choice = await initBackend({ preference: 'wasm' });
  console.log(`backend: ${choice.reason}; Node ${process.version}, ${cpus().length} cores, load average ${loadavg()[0].toFixed(2)}`);
  console.log('| preset | first iteration s | later iterations s (median) | collect | fit | improve | evaluate |');
  console.log('|---|---|---|---|---|---|---|');
  for (const name of presetNames) {
    if (!isPresetName(name)) continue;
    const parsed = parseConfig({ ...presets[name].config, iterations });
    if (!parsed.ok) throw new Error(`preset ${name} does not parse`);
    const started = performance.now();
    let firstSeconds = 0;
    const reports: IterationReport[] = [];
    for await (const event of runExperiment(parsed.config)) {
      if (event.kind !== 'report') continue;
      if (reports.length === 0) firstSeconds = (performance.now() - started) / 1000;
      reports.push(event.report);
    }
    const later = reports.slice(1);
    const phase = (key: keyof IterationReport['timings']) => median(later.map((r) => r.timings[key])).toFixed(2);
    console.log(
      `| ${name} | ${firstSeconds.toFixed(2)} | ${median(later.map((r) => r.seconds)).toFixed(2)} | ${phase('collect')} | ${phase('fit')} | ${phase('improve')} | ${phase('evaluate')} |`,
    );
  }
}
