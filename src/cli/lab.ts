/**
 * `npm run lab -- --preset NAME | --config FILE | --url 'HASH' [--iterations N] [--seed S]
 *                 [--seeds K] [--backend wasm|cpu] [--out FILE] [--csv FILE] [--quiet]`
 *
 * Runs an experiment headless with the same engine the app runs in its worker, prints one line
 * per iteration, and writes `{config, backend, runs: [{seed, reports}], summary}` (the format of
 * src/exportFile.ts, which the app also exports and loads). With K seeds (S, S+1,
 * …) the closing table gives the last iteration's mean and 95 % interval over seeds.
 */
import { writeFileSync, readFileSync } from 'node:fs';
import { initBackend, type BackendPreference } from '../backend';
import { formatConfigProblems, parseConfig } from '../config/parse';
import { isPresetName, presets } from '../config/presets';
import type { ExperimentConfig } from '../config/schema';
import { decodeHash } from '../config/urlCodec';
import { runExperiment } from '../experiment';
import { experimentCalibration } from '../experimentCalibration';
import { buildLabOutput, csvRows, serialiseLabOutput, type LabRun } from '../exportFile';
import { formatInterval } from '../metrics/aggregate';
import type { OracleRun } from '../policies/oracle';
import type { IterationReport } from '../report';

interface LabArguments {
  readonly source: { kind: 'preset' | 'config' | 'url'; value: string };
  readonly iterations?: number;
  readonly seed?: number;
  readonly seeds: number;
  readonly backend?: BackendPreference;
  readonly out?: string;
  readonly csv?: string;
  readonly quiet: boolean;
}

const USAGE = `usage: npm run lab -- (--preset NAME | --config FILE | --url 'HASH') [--iterations N] [--seed S]
                      [--seeds K] [--backend wasm|cpu] [--out FILE] [--csv FILE] [--quiet]
presets: ${Object.keys(presets).join(', ')}`;

class UsageError extends Error {}

function parseArguments(argv: readonly string[]): LabArguments {
  const values = new Map<string, string>();
  let quiet = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--quiet') {
      quiet = true;
      continue;
    }
    if (!flag.startsWith('--')) throw new UsageError(`unexpected argument "${flag}"`);
    const value = argv[i + 1];
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    values.set(flag.slice(2), value);
    i++;
  }
  const sources = (['preset', 'config', 'url'] as const).filter((kind) => values.has(kind));
  if (sources.length !== 1) throw new UsageError('give exactly one of --preset, --config, --url');
  const known = new Set(['preset', 'config', 'url', 'iterations', 'seed', 'seeds', 'backend', 'out', 'csv']);
  for (const key of values.keys()) if (!known.has(key)) throw new UsageError(`unknown option --${key}`);
  const integer = (key: string, min: number): number | undefined => {
    const raw = values.get(key);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw new UsageError(`--${key} must be an integer ≥ ${min}, got "${raw}"`);
    return value;
  };
  const backend = values.get('backend');
  if (backend !== undefined && !['auto', 'wasm', 'cpu', 'webgl', 'webgpu'].includes(backend)) {
    throw new UsageError(`--backend must be one of auto, wasm, cpu, webgl, webgpu, got "${backend}"`);
  }
  return {
    source: { kind: sources[0], value: values.get(sources[0]) ?? '' },
    iterations: integer('iterations', 1),
    seed: integer('seed', 0),
    seeds: integer('seeds', 1) ?? 1,
    backend: backend as BackendPreference | undefined,
    out: values.get('out'),
    csv: values.get('csv'),
    quiet,
  };
}

function loadConfig(args: LabArguments): ExperimentConfig {
  let input: unknown;
  const { kind, value } = args.source;
  if (kind === 'preset') {
    if (!isPresetName(value)) throw new UsageError(`unknown preset "${value}" (known: ${Object.keys(presets).join(', ')})`);
    input = presets[value].config;
  } else if (kind === 'config') {
    let text: string;
    try {
      text = readFileSync(value, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read config file ${value}: ${(error as Error).message}`);
    }
    try {
      input = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`config file ${value} is not valid JSON: ${(error as Error).message}`);
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new UsageError(`config file ${value} must hold a JSON object (a config, or a lab output with "config")`);
    }
    // A lab output file holds its config under "config".
    if (typeof input === 'object' && input !== null && 'config' in input && 'runs' in input) {
      input = (input as { config: unknown }).config;
    }
  } else {
    const decoded = decodeHash(value);
    for (const notice of decoded.notices) console.error(`url: ${notice.key}: ${notice.message}`);
    input = decoded.config;
  }
  const overrides = {
    ...(args.iterations === undefined ? {} : { iterations: args.iterations }),
    ...(args.seed === undefined ? {} : { seed: args.seed }),
    ...(args.backend === undefined ? {} : { backend: args.backend }),
  };
  const parsed = parseConfig({ ...(input as object), ...overrides });
  if (!parsed.ok) {
    throw new UsageError(`the config is not valid:\n${formatConfigProblems(parsed.problems)}`);
  }
  return parsed.config;
}

function progressLine(seed: number, report: IterationReport): string {
  const r = report.returns;
  const cells = [
    `seed ${seed}`,
    `it ${String(report.iteration).padStart(3)}`,
    `real ${fixed(r.real)}`,
    `sim ${fixed(r.sim)}`,
    `oracle ${r.oracle === null ? 'n/a' : fixed(r.oracle)}`,
    `gap ${fixed(report.gap)}`,
    `onPolicyErr ${report.modelError.onPolicy.toPrecision(3)}`,
    `${report.seconds.toFixed(2)} s`,
  ];
  return cells.join('  ');
}

function fixed(value: number): string {
  return value.toFixed(1).padStart(8);
}

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  const config = loadConfig(args);
  const choice = await initBackend({
    preference: config.backend,
    ...(config.backend === 'auto' ? { calibrate: experimentCalibration(config) } : {}),
  });
  console.log(`backend: ${choice.reason}`);
  const oracleCache = new Map<string, OracleRun>();
  const runs: LabRun[] = [];
  const started = performance.now();
  for (let k = 0; k < args.seeds; k++) {
    const seed = config.seed + k;
    const reports: IterationReport[] = [];
    for await (const event of runExperiment({ ...config, seed }, { oracleCache })) {
      if (event.kind !== 'report') continue;
      reports.push(event.report);
      if (!args.quiet) console.log(progressLine(seed, event.report));
    }
    runs.push({ seed, reports });
  }
  const output = buildLabOutput(config, choice, runs);
  const { summary } = output;
  console.log(`\nlast iteration (${config.iterations - 1}) over ${args.seeds} seed(s), mean ± 95 % interval:`);
  console.log('| metric | value |\n|---|---|');
  for (const [name, interval] of Object.entries(summary)) console.log(`| ${name} | ${formatInterval(interval)} |`);
  console.log(`\nwall time: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (args.out !== undefined) {
    writeFileSync(args.out, serialiseLabOutput(output));
    console.log(`wrote ${args.out}`);
  }
  if (args.csv !== undefined) {
    writeFileSync(args.csv, csvRows(runs));
    console.log(`wrote ${args.csv}`);
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`lab: ${error.message}\n${USAGE}`);
    process.exit(2);
  }
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
